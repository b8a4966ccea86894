// ACL users: flags, SHA-256 password hashes (never the clear text) and selectors (the root one
// first). Credentials are compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
import { Selector } from './selectors.js';

export function hashPassword(clear: string): string {
  return createHash('sha256').update(Buffer.from(clear, 'latin1')).digest('hex');
}

/** Exactly 64 lower-case hex characters (Redis's ACLCheckPasswordHash). */
export function validHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

export class User {
  /** on/off: Redis keeps two flags; a new user has only "off". */
  enabled = false;
  disabled = true;
  nopass = false;
  sanitize = false;
  skipSanitize = false;
  passwords: string[] = [];
  selectors: Selector[];

  constructor(
    readonly name: string,
    allChannels: boolean,
  ) {
    this.selectors = [new Selector(true, allChannels)];
  }

  get root(): Selector {
    return this.selectors[0]!;
  }

  /** A deep copy under another name (staging for SETUSER, ACL LOAD). */
  cloneAs(name: string): User {
    const u = new User(name, false);
    u.copyFrom(this);
    return u;
  }

  copyFrom(src: User): void {
    this.enabled = src.enabled;
    this.disabled = src.disabled;
    this.nopass = src.nopass;
    this.sanitize = src.sanitize;
    this.skipSanitize = src.skipSanitize;
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.clone());
  }

  /** Disabled users can't log in; nopass accepts any password; else one hash must match. */
  checkPassword(clear: string): boolean {
    if (this.disabled) return false;
    if (this.nopass) return true;
    const given = Buffer.from(hashPassword(clear), 'latin1');
    let ok = false;
    // Compare against every hash so the time does not tell which one (or whether any) matched.
    for (const h of this.passwords) {
      if (timingSafeEqual(given, Buffer.from(h, 'latin1'))) ok = true;
    }
    return ok;
  }

  /** What a new connection of this user gets: authenticated without AUTH. */
  get freeLogin(): boolean {
    return this.nopass && !this.disabled;
  }
}

/** The users, iterated in byte order of their names like Redis's radix tree. */
export class UserStore {
  private readonly map = new Map<string, User>();

  get(name: string): User | undefined {
    return this.map.get(name);
  }

  set(u: User): void {
    this.map.set(u.name, u);
  }

  delete(name: string): boolean {
    return this.map.delete(name);
  }

  get size(): number {
    return this.map.size;
  }

  sorted(): User[] {
    return [...this.map.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
