// Writing a whole file durably (mode 0600, every byte, fsync) before it is renamed into place:
// the dump file, the AOF manifest and base, a replica's received payload.

import fs from 'node:fs';

/** Creates or truncates file (0600), writes all of data and fsyncs it. Throws on failure. */
export function writeFileSynced(file: string, data: Buffer): void {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
