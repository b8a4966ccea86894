// ACL categories. The table stores only the categories a command's flags do not imply; the
// implied ones are derived here, by the same rule Redis 7.0 applies at start-up, so no
// category is written twice.

import type { CommandSpec } from './spec.js';

/** Redis 7.0's categories, in its order (ACL CAT and COMMAND INFO print in this order). */
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

/** Categories implied by command flags (setImplicitACLCategories). */
export function impliedCategories(flags: readonly string[], explicit: readonly string[]): string[] {
  const out: string[] = [];
  if (flags.includes('write')) out.push('write');
  // Scripting commands are not @read even when flagged readonly.
  if (flags.includes('readonly') && !explicit.includes('scripting')) out.push('read');
  if (flags.includes('admin')) out.push('admin', 'dangerous');
  if (flags.includes('pubsub')) out.push('pubsub');
  if (flags.includes('fast')) out.push('fast');
  if (flags.includes('blocking')) out.push('blocking');
  // In this binary world, whatever is not @fast is @slow.
  if (!flags.includes('fast') && !explicit.includes('fast')) out.push('slow');
  return out;
}

/** Every category of a command (explicit ∪ implied), in ACL_CATEGORIES order. */
export function allCategories(spec: CommandSpec): string[] {
  const set = new Set([...spec.categories, ...impliedCategories(spec.flags, spec.categories)]);
  return ACL_CATEGORIES.filter((c) => set.has(c));
}
