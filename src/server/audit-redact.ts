// What the audit log may write of what clients send: secrets redacted (ACL rules, CONFIG SET
// values of secret configs), and every string and list bounded (key and client names can be
// huge). AUTH and HELLO passwords never get this far: no event carries them.

import type { Command } from '../commands/registry.js';
import { lookupConfigName } from '../config/store.js';
import { REDACTED, redactedArgv } from './monitor.js';

/** Longest string value written; longer ones are cut. */
const MAX_STRING = 256;
/** Most list items written (ACL rules, user names, options); the rest are counted. */
export const MAX_ITEMS = 64;

export function clip(s: string): string {
  return s.length <= MAX_STRING ? s : `${s.slice(0, MAX_STRING)}...(${s.length - MAX_STRING} more)`;
}

export function clipList(list: readonly string[]): string[] {
  const out = list.slice(0, MAX_ITEMS).map(clip);
  if (list.length > MAX_ITEMS) out.push(`...(${list.length - MAX_ITEMS} more)`);
  return out;
}

/** ACL rule words without any secret in them (everything else is checked by its first char). */
const PLAIN_RULES = new Set([
  'on',
  'off',
  'nopass',
  'resetpass',
  'reset',
  'resetkeys',
  'resetchannels',
  'allkeys',
  'allchannels',
  'allcommands',
  'nocommands',
  'clearselectors',
  'sanitize-payload',
  'skip-sanitize-payload',
]);

/**
 * One ACL SETUSER argument as it may be logged: `>pass`, `<pass`, `#hash` and `!hash` keep only
 * their prefix; patterns, commands and keywords stay; anything else (a password typed without
 * its `>`) is redacted whole. Selectors "(...)" are checked word by word.
 */
export function redactRule(rule: string): string {
  if (rule.includes(' ') || rule.startsWith('(')) return rule.split(' ').map(redactRuleWord).join(' ');
  return redactRuleWord(rule);
}

function redactRuleWord(word: string): string {
  const open = word.startsWith('(') ? '(' : '';
  let w = open === '' ? word : word.slice(1);
  const close = w.endsWith(')') ? ')' : '';
  if (close !== '') w = w.slice(0, -1);
  const first = w.charAt(0);
  let out: string;
  if (first === '>' || first === '<' || first === '#' || first === '!') out = first + REDACTED;
  else if (w === '' || '~%&+-'.includes(first) || PLAIN_RULES.has(w.toLowerCase())) out = w;
  else out = REDACTED;
  return open + out + close;
}

/** Secret configs beyond those the registry flags sensitive (TLS key passphrases). */
const SECRET_CONFIGS = new Set(['tls-key-file-pass', 'tls-client-key-file-pass']);

/** Whether a CONFIG SET value must be hidden: a secret config, or a name nobody knows (a typo). */
function secretValue(name: string): boolean {
  const found = lookupConfigName(name);
  return found === undefined || found.entry.sensitive === true || SECRET_CONFIGS.has(found.entry.name);
}

/** CONFIG SET name/value pairs with secret values redacted (MONITOR's rules, then ours). */
export function redactConfigSet(cmd: Command | null, argv: readonly string[]): { name: string; value: string }[] {
  const shown = cmd === null ? argv : redactedArgv(cmd, argv);
  const out: { name: string; value: string }[] = [];
  for (let i = 2; i < argv.length && out.length < MAX_ITEMS; i += 2) {
    const name = argv[i]!;
    const raw = shown[i + 1];
    const value = raw === undefined ? '' : secretValue(name) ? REDACTED : raw;
    out.push({ name: clip(name), value: clip(value) });
  }
  return out;
}
