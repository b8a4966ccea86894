// Start-up warnings about an exposed or careless deployment: running as root, a config file
// or TLS private key others can read, and listening beyond loopback while the default user
// needs no password. They are warnings only: Redis starts in these cases too.

import { statSync } from 'node:fs';
import type { Server } from './server.js';

/** Files whose contents are secrets (passwords in the config, TLS private keys). */
const KEY_CONFIGS = ['tls-key-file', 'tls-client-key-file'];

/** Group or other permission bits set on path, or 0 when it cannot be read. */
export function looseBits(path: string): number {
  try {
    return statSync(path).mode & 0o077;
  } catch {
    return 0;
  }
}

/** True for an address only this host can reach. */
export function isLoopback(addr: string): boolean {
  const a = addr.startsWith('-') ? addr.slice(1) : addr;
  return a === 'localhost' || a === '::1' || a.startsWith('127.') || a === '::ffff:127.0.0.1';
}

/** The warnings to log, in order (exported for the unit tests). */
export function startupWarnings(server: Server, uid: number | null): string[] {
  const out: string[] = [];
  if (uid === 0) {
    out.push(
      'WARNING: Redoubt is running as root. A compromised server would own the whole host: run it as an unprivileged user.',
    );
  }
  const cfg = server.configFile;
  if (cfg !== null && looseBits(cfg) & 0o044) {
    out.push(
      `WARNING: the config file ${cfg} is readable by group or others; it may hold passwords. Consider chmod 600.`,
    );
  }
  for (const name of KEY_CONFIGS) {
    const f = server.config.str(name);
    if (f !== '' && looseBits(f) & 0o044) {
      out.push(`WARNING: the TLS private key ${f} (${name}) is readable by group or others. Consider chmod 600.`);
    }
  }
  const binds = server.config
    .str('bind')
    .split(' ')
    .filter((a) => a !== '');
  const exposed = binds.length === 0 || binds.some((a) => !isLoopback(a));
  if (server.config.int('port') !== 0 && exposed && server.security.startsAuthenticated()) {
    const where = binds.filter((a) => !isLoopback(a)).join(' ') || '*';
    out.push(
      `WARNING: listening on a non-loopback address (${where}) while the default user has no password` +
        (server.config.bool('protected-mode')
          ? '; protected mode refuses remote clients until a password is set.'
          : ' and protected mode is off: anyone who can reach the port has full access.'),
    );
  }
  return out;
}

export function logStartupWarnings(server: Server): void {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  for (const w of startupWarnings(server, uid)) server.log.warning(w);
}
