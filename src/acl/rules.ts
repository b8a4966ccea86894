// The rule language at user level (Redis ACLSetUser): on/off, passwords, nopass/resetpass,
// reset, selectors `( ... )` and clearselectors, everything else delegated to the root
// selector. SETUSER-style application is staged on a copy and committed only when every rule
// is valid, so a failing command never half-applies.

import { splitArgs } from '../protocol/splitargs.js';
import { Selector, type AclErr } from './selectors.js';
import { User, hashPassword, validHash } from './users.js';

const MESSAGES: Record<AclErr, string> = {
  ENOENT: 'Unknown command or category name in ACL',
  EINVAL: 'Syntax error',
  EEXIST:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  EALREADY: 'Duplicate user found. A user can only be defined once in config files',
  ECHILD: 'Allowing first-arg of a subcommand is not supported',
};

export function aclErrorMessage(e: AclErr): string {
  return MESSAGES[e];
}

/** Applies one rule to a user in place (callers stage on a copy). */
export function applyUserOp(u: User, op: string, pubsubAllChannels: boolean): AclErr | null {
  if (op.length === 0) return null;
  const low = op.toLowerCase();
  switch (low) {
    case 'on':
      u.enabled = true;
      u.disabled = false;
      return null;
    case 'off':
      u.enabled = false;
      u.disabled = true;
      return null;
    case 'skip-sanitize-payload':
      u.skipSanitize = true;
      u.sanitize = false;
      return null;
    case 'sanitize-payload':
      u.skipSanitize = false;
      u.sanitize = true;
      return null;
    case 'nopass':
      u.nopass = true;
      u.passwords = [];
      return null;
    case 'resetpass':
      u.nopass = false;
      u.passwords = [];
      return null;
    case 'clearselectors':
      u.selectors.length = 1;
      return null;
    case 'reset':
      u.nopass = false;
      u.passwords = [];
      u.root.apply('resetkeys');
      u.root.apply('resetchannels');
      if (pubsubAllChannels) u.root.apply('allchannels');
      u.enabled = false;
      u.disabled = true;
      u.skipSanitize = false;
      u.sanitize = true;
      u.selectors.length = 1;
      u.root.apply('-@all');
      return null;
  }
  const c = op[0];
  if (c === '>' || c === '#') {
    let hash: string;
    if (c === '>') hash = hashPassword(op.slice(1));
    else {
      hash = op.slice(1);
      if (!validHash(hash)) return 'EBADMSG';
    }
    if (!u.passwords.includes(hash)) u.passwords.push(hash);
    u.nopass = false;
    return null;
  }
  if (c === '<' || c === '!') {
    let hash: string;
    if (c === '<') hash = hashPassword(op.slice(1));
    else {
      hash = op.slice(1);
      if (!validHash(hash)) return 'EBADMSG';
    }
    const i = u.passwords.indexOf(hash);
    if (i < 0) return 'ENODEV';
    u.passwords.splice(i, 1);
    return null;
  }
  if (c === '(' && op[op.length - 1] === ')') {
    const s = selectorFromOpSet(op, pubsubAllChannels);
    if (typeof s === 'string') return s;
    u.selectors.push(s);
    return null;
  }
  return u.root.apply(op);
}

/** "( op op ... )" → a new selector, or the first rule's error. */
function selectorFromOpSet(op: string, pubsubAllChannels: boolean): Selector | AclErr {
  const s = new Selector(false, pubsubAllChannels);
  // Unbalanced quotes give no rules at all, as sdssplitargs returning NULL does in Redis.
  const ops = splitArgs(op.slice(1, -1)) ?? [];
  for (const o of ops) {
    const err = s.apply(o);
    if (err !== null) return err;
  }
  return s;
}

/**
 * Joins selectors spread over several arguments ("(~a", "+get)") into one, like Redis's
 * ACLMergeSelectorArguments. Returns the merged list or the index of an unclosed "(".
 */
export function mergeSelectorArgs(args: readonly string[]): string[] | { unmatched: number } {
  const out: string[] = [];
  let open = -1;
  let selector = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j]!;
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      selector = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      selector += ' ' + op;
      if (op.length > 0 && op[op.length - 1] === ')') {
        open = -1;
        out.push(selector);
      }
      continue;
    }
    out.push(op);
  }
  if (open !== -1) return { unmatched: open };
  return out;
}

export type StagedResult = { ok: true; user: User } | { ok: false; error: string };

/**
 * ACL SETUSER semantics: applies every rule to a copy of `existing` (or a fresh user) and
 * returns the staged user, or the error naming the failing rule. Nothing is changed.
 */
export function stageUser(
  existing: User | undefined,
  name: string,
  args: readonly string[],
  pubsubAllChannels: boolean,
): StagedResult {
  const merged = mergeSelectorArgs(args);
  if (!Array.isArray(merged)) {
    return { ok: false, error: `Unmatched parenthesis in acl selector starting at '${args[merged.unmatched]}'.` };
  }
  const staged = existing !== undefined ? existing.cloneAs(name) : new User(name, pubsubAllChannels);
  for (const op of merged) {
    const err = applyUserOp(staged, op, pubsubAllChannels);
    if (err !== null) return { ok: false, error: `Error in ACL SETUSER modifier '${op}': ${MESSAGES[err]}` };
  }
  return { ok: true, user: staged };
}

/**
 * Validates a `user` config directive (argv[0] = "user") like ACLAppendUserForLoading:
 * unknown commands are tolerated here (reported when the users are created).
 */
export function checkUserDirective(
  argv: readonly string[],
  seen: readonly (readonly string[])[],
  pubsubAllChannels: boolean,
): { argIndex: number; message: string } | null {
  if (seen.some((d) => d[0] === argv[1])) return { argIndex: 1, message: MESSAGES.EALREADY };
  const merged = mergeSelectorArgs(argv.slice(2));
  if (!Array.isArray(merged)) return { argIndex: merged.unmatched, message: MESSAGES.EINVAL };
  const fake = new User('__fakeuser__', pubsubAllChannels);
  for (let j = 0; j < merged.length; j++) {
    const err = applyUserOp(fake, merged[j]!, pubsubAllChannels);
    // Redis reports the index among the merged rules (a quirk kept for identical messages).
    if (err !== null && err !== 'ENOENT') return { argIndex: j, message: MESSAGES[err] };
  }
  return null;
}
