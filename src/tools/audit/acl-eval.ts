// Evaluates users with Redoubt's own ACL engine: rules are applied to a real User, and what a
// user may run is decided by command ids and category bits, never by matching rule text.

import { User } from '../../acl/users.js';
import { applyUserOp, mergeSelectorArgs } from '../../acl/rules.js';
import { catalog, categoryIndex, type AclCmd } from '../../acl/catalog.js';
import type { UserRules } from './snapshot.js';

export interface EvaluatedUser {
  readonly name: string;
  readonly user: User;
  /** Rules the engine did not know (e.g. commands of a newer server): ignored. */
  readonly unknownRules: string[];
}

/** Builds the user from its rules; unknown commands are skipped, as ACL LOAD warns about. */
export function evaluateUser(r: UserRules): EvaluatedUser {
  const user = new User(r.name, false);
  const unknownRules: string[] = [];
  const merged = mergeSelectorArgs(r.rules);
  const ops = Array.isArray(merged) ? merged : r.rules;
  for (const op of ops) {
    if (applyUserOp(user, op, false) !== null) unknownRules.push(op);
  }
  return { name: r.name, user, unknownRules };
}

/** Commands a rule can name one by one: top-level commands without subcommands, and subcommands. */
export const LEAF_COMMANDS: readonly AclCmd[] = catalog.all.filter((c) => c.subs === null);

const DANGEROUS_BIT = 1 << categoryIndex('dangerous');
export const DANGEROUS_COMMANDS: readonly AclCmd[] = LEAF_COMMANDS.filter((c) => (c.categories & DANGEROUS_BIT) !== 0);

/** Whether any selector of the user allows the command (fully, or for some first argument). */
export function allows(u: User, cmd: AclCmd): boolean {
  return u.selectors.some(
    (s) =>
      s.allCommands ||
      s.hasBit(cmd.aclId) ||
      s.firstArgs?.has(cmd.aclId) === true ||
      (cmd.parent !== null && s.firstArgs?.has(cmd.parent.aclId) === true),
  );
}

/** Allowed fully (no first-argument restriction) by some selector. */
export function allowsFully(u: User, cmd: AclCmd): boolean {
  return u.selectors.some((s) => s.allCommands || s.hasBit(cmd.aclId));
}

/** An admin may run every command. */
export function isAdmin(u: User): boolean {
  return LEAF_COMMANDS.every((c) => allowsFully(u, c));
}

export function dangerousAllowed(u: User): AclCmd[] {
  return DANGEROUS_COMMANDS.filter((c) => allows(u, c));
}

/** A command by name ("flushall", "config|set"). */
export function lookupCommand(name: string): AclCmd | undefined {
  return catalog.lookup(name);
}

/** The leaf commands of a top-level name (itself, or its subcommands). */
export function leavesOf(name: string): AclCmd[] {
  const c = catalog.lookup(name);
  if (c === undefined) return [];
  return c.subs ?? [c];
}
