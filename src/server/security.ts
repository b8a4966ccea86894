// The gate's auth and ACL steps call this interface. Until the ACL work fills it in, every
// client is the `default` user with every permission (the README says so); the shape is what
// the real implementation plugs into.

import type { Client } from './client.js';
import type { Command } from '../commands/registry.js';

export type AclVerdict = { ok: true } | { ok: false; reason: 'command' | 'key' | 'channel'; argIndex: number };

export interface SecurityProvider {
  /** True when the client must authenticate before running commands without the no_auth flag. */
  authRequired(c: Client): boolean;
  /**
   * Whether a new (or RESET) connection starts authenticated: as in Redis, when the default user
   * needs no password. Connections authenticated this way stay so if a password is set later.
   */
  startsAuthenticated(): boolean;
  /** Permission check of one command with its arguments for the client's user. */
  check(c: Client, cmd: Command, argv: readonly string[]): AclVerdict;
}

const ALLOW: AclVerdict = { ok: true };

/** The default user, no password, all permissions: Redis's out-of-the-box behaviour. */
export class OpenSecurity implements SecurityProvider {
  /** requirepass, kept current by a config hook (read on every command). */
  password = '';

  authRequired(c: Client): boolean {
    return !c.authenticated && this.password !== '';
  }

  startsAuthenticated(): boolean {
    return this.password === '';
  }

  check(): AclVerdict {
    return ALLOW;
  }
}
