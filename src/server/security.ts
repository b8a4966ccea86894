// The gate's auth and ACL steps call this interface; src/acl/provider.ts implements it
// (users, AUTH, permission checks, ACL LOG).

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
