// The ACL file: ACL LOAD (all-or-nothing: every line is validated into a fresh user set and
// nothing changes if any line is wrong; errors name the file and line) and ACL SAVE (temp
// file, fsync, rename; an existing file keeps its mode and owner, a new one is created 0600 —
// Redis itself writes 0644 and loses both).

import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  constants as fsc,
} from 'node:fs';
import { dirname } from 'node:path';
import { User, UserStore } from './users.js';
import { applyUserOp, aclErrorMessage, mergeSelectorArgs } from './rules.js';
import { hasSpaces } from './selectors.js';

export type LoadedUsers = UserStore;

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EPERM: 'Operation not permitted',
};

export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return STRERROR[code] ?? (e as Error).message;
}

/** Trims the characters of `set` at both ends (sdstrim). */
function trim(s: string, set: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && set.includes(s[a]!)) a++;
  while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** Parses the whole file into a new user set, or returns Redis's one-line error text. */
export function loadAclFile(path: string, pubsubAllChannels: boolean): UserStore | string {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    return `Error loading ACLs, opening file '${path}': ${strerror(e)}`;
  }
  const users = new UserStore();
  let errors = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const linenum = i + 1;
    const line = trim(lines[i]!, ' \t\r\n');
    if (line === '') continue;
    const argv = line.split(' ');
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${path}:${linenum} should start with user keyword followed by the username. `;
      continue;
    }
    const name = argv[1]!;
    if (hasSpaces(name)) {
      errors += `'${path}:${linenum}: username '${name}' contains invalid characters. `;
      continue;
    }
    if (users.get(name) !== undefined) {
      errors += `WARNING: Duplicate user '${name}' found on line ${linenum}. `;
      continue;
    }
    const u = new User(name, pubsubAllChannels);
    users.set(u);
    const merged = mergeSelectorArgs(argv.slice(2));
    if (!Array.isArray(merged)) {
      errors += `${path}:${linenum}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    let syntaxError = false;
    for (const raw of merged) {
      const op = trim(raw, '\t\r\n');
      const err = applyUserOp(u, op, pubsubAllChannels);
      if (err === null) continue;
      if (err === 'ENOENT') {
        errors += `${path}:${linenum}: Error in applying operation '${op}': ${aclErrorMessage(err)}. `;
      } else if (!syntaxError) {
        errors += `${path}:${linenum}: ${aclErrorMessage(err)}. `;
        syntaxError = true;
      }
    }
  }
  if (errors !== '') {
    return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
  }
  return users;
}

/**
 * Writes `lines` (each "user ...") to path atomically. Returns null, or the reason for the
 * log (the caller replies Redis's generic error).
 */
export function saveAclFile(path: string, lines: readonly string[]): string | null {
  const body = lines.map((l) => l + '\n').join('');
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  let fd = -1;
  let stage = 'Opening temp ACL file for ACL SAVE';
  try {
    let mode = 0o600;
    let owner: { uid: number; gid: number } | null = null;
    try {
      const st = statSync(path);
      mode = st.mode & 0o7777;
      owner = { uid: st.uid, gid: st.gid };
    } catch {
      // No file yet: created private.
    }
    fd = openSync(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    fchmodSync(fd, mode);
    if (owner !== null && typeof process.getuid === 'function') {
      try {
        fchownSync(fd, owner.uid, owner.gid);
      } catch {
        // Not permitted (not root): the file stays ours, as Redis would leave it.
      }
    }
    stage = 'Writing ACL file for ACL SAVE';
    const buf = Buffer.from(body, 'latin1');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    stage = 'Renaming ACL file for ACL SAVE';
    renameSync(tmp, path);
    syncDir(dirname(path));
    return null;
  } catch (e) {
    if (fd !== -1) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone or never created.
    }
    return `${stage}: ${strerror(e)}`;
  }
}

/** fsync of the directory so the rename itself survives a crash (best effort). */
function syncDir(dir: string): void {
  try {
    const d = openSync(dir, 'r');
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    // Some file systems refuse fsync on directories.
  }
}
