// ACL categories. The command table stores only the categories a command's flags do not imply;
// the implied ones are derived here by the rule Redis 7.0 applies at start-up
// (src/server.c setImplicitACLCategories), so no category is written twice.

import type { CommandSpec } from './spec.js';

/**
 * Redis 7.0's 21 categories in its own order (src/acl.c ACLCommandCategories). ACL CAT lists
 * them in this order, COMMAND INFO prints a command's categories in this order, and a command's
 * category bit i stands for ACL_CATEGORIES[i].
 */
export const ACL_CATEGORIES: readonly string[] = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
];

/**
 * The categories a command gets from its flags (lower-case COMMAND INFO flag names), given its
 * explicit categories, in ACL_CATEGORIES order:
 * write → @write; readonly → @read unless explicitly @scripting; admin → @admin and @dangerous;
 * pubsub → @pubsub; fast → @fast; blocking → @blocking; and @slow when it ends up not @fast.
 */
export function impliedCategories(flags: readonly string[], explicit: readonly string[]): string[] {
  const out = new Set<string>();
  if (flags.includes('write')) out.add('write');
  // Scripting commands (EVAL_RO, FCALL_RO, ...) are excluded from @read.
  if (flags.includes('readonly') && !explicit.includes('scripting')) out.add('read');
  if (flags.includes('admin')) out.add('admin').add('dangerous');
  if (flags.includes('pubsub')) out.add('pubsub');
  if (flags.includes('fast')) out.add('fast');
  if (flags.includes('blocking')) out.add('blocking');
  // "If it's not @fast it is @slow in this binary world."
  if (!out.has('fast') && !explicit.includes('fast')) out.add('slow');
  return ACL_CATEGORIES.filter((c) => out.has(c));
}

/** Position in ACL_CATEGORIES; unknown names sort last (there are none in the table). */
function rank(category: string): number {
  const i = ACL_CATEGORIES.indexOf(category);
  return i < 0 ? ACL_CATEGORIES.length : i;
}

/**
 * Every category of a command (explicit ∪ implied), lower case without '@', in the order
 * COMMAND INFO prints them (ACL_CATEGORIES order).
 */
export function allCategories(spec: CommandSpec): string[] {
  const all = new Set([...spec.categories, ...impliedCategories(spec.flags, spec.categories)]);
  return [...all].sort((a, b) => rank(a) - rank(b));
}
