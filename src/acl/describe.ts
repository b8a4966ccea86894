// Users and selectors described back in the rule language (ACL LIST, ACL SAVE, CONFIG
// REWRITE, ACL GETUSER). Command rules use Redis's best-fit: start from +@all or -@all, apply
// the category closest to the bitmap while one helps, then fix single commands.

import { ACL_CATEGORIES } from '../commands/categories.js';
import { catalog, type AclCmd } from './catalog.js';
import { PERM_ALL, PERM_READ, PERM_WRITE, Selector, type KeyPattern } from './selectors.js';
import type { User } from './users.js';

function countCategory(s: Selector, flag: number): [number, number] {
  let on = 0;
  let off = 0;
  for (const cmd of catalog.all) {
    if (!(cmd.categories & flag)) continue;
    if (s.hasBit(cmd.aclId)) on++;
    else off++;
  }
  return [on, off];
}

function singleCommands(user: Selector, fake: Selector, list: readonly AclCmd[], out: string[]): void {
  for (const cmd of list) {
    const userbit = user.hasBit(cmd.aclId);
    if (userbit !== fake.hasBit(cmd.aclId)) {
      out.push((userbit ? '+' : '-') + cmd.fullname);
      fake.changePerm(cmd, userbit);
    }
    if (cmd.subs !== null) singleCommands(user, fake, cmd.subs, out);
    const firsts = user.firstArgs?.get(cmd.aclId);
    if (!userbit && firsts !== undefined) for (const a of firsts) out.push(`+${cmd.fullname}|${a}`);
  }
}

/** The command part of a selector: "+@all -@dangerous +info" and the like. */
export function describeCommands(s: Selector): string {
  const additive = !s.future;
  const out: string[] = [additive ? '-@all' : '+@all'];
  const fake = new Selector(false, false);
  fake.apply(additive ? '-@all' : '+@all');
  const temp = s.clone();
  const applied = new Array<boolean>(ACL_CATEGORIES.length).fill(false);
  for (;;) {
    let best = -1;
    let mindiff = Number.MAX_SAFE_INTEGER;
    let maxsame = 0;
    for (let j = 0; j < ACL_CATEGORIES.length; j++) {
      if (applied[j]) continue;
      const [on, off] = countCategory(temp, 1 << j);
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff === mindiff && same > maxsame))) {
        best = j;
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best === -1) break;
    const name = ACL_CATEGORIES[best]!;
    fake.changeCategory(best, additive);
    temp.changeCategory(best, !additive);
    out.push((additive ? '+@' : '-@') + name);
    applied[best] = true;
  }
  singleCommands(s, fake, catalog.top, out);
  return out.join(' ');
}

export function patternString(p: KeyPattern): string {
  if (p.flags === PERM_ALL) return '~' + p.pattern;
  if (p.flags === PERM_READ) return '%R~' + p.pattern;
  if (p.flags === PERM_WRITE) return '%W~' + p.pattern;
  return '~' + p.pattern;
}

export function describeSelector(s: Selector): string {
  let res = '';
  if (s.allKeys) res += '~* ';
  else for (const p of s.patterns) res += patternString(p) + ' ';
  if (s.allChannels) res += '&* ';
  else {
    res += 'resetchannels ';
    for (const ch of s.channels) res += '&' + ch + ' ';
  }
  return res + describeCommands(s);
}

export function userFlags(u: User): string[] {
  const f: string[] = [];
  if (u.enabled) f.push('on');
  if (u.disabled) f.push('off');
  if (u.nopass) f.push('nopass');
  if (u.skipSanitize) f.push('skip-sanitize-payload');
  if (u.sanitize) f.push('sanitize-payload');
  return f;
}

/** The rules after the user name, as ACL LIST prints them. */
export function describeUser(u: User): string {
  let res = '';
  for (const f of userFlags(u)) res += f + ' ';
  for (const h of u.passwords) res += '#' + h + ' ';
  res += describeSelector(u.root);
  for (let i = 1; i < u.selectors.length; i++) res += ` (${describeSelector(u.selectors[i]!)})`;
  return res;
}

/** GETUSER's "keys" and "channels" fields. */
export function keysField(s: Selector): string {
  return s.allKeys ? '~*' : s.patterns.map(patternString).join(' ');
}

export function channelsField(s: Selector): string {
  return s.allChannels ? '&*' : s.channels.map((c) => '&' + c).join(' ');
}
