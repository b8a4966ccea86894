// The live configuration: values for every entry of the registry, typed accessors for the
// server, start-up settings (config file, argv, API options) and atomic multi-parameter
// updates with apply hooks (CONFIG SET), with Redis's rollback rules.

import type { ConfigEntry, SpecialContext } from './types.js';
import { CONFIG_ENTRIES } from './entries.js';
import { normalize } from './normalize.js';
import { splitArgs } from '../protocol/splitargs.js';

export { normalize } from './normalize.js';
export { parseMemory } from './values.js';

/**
 * Runs after a CONFIG SET changed a config (Redis's apply functions): returns null, or an
 * error text, which rolls the whole CONFIG SET back. A hook registered for several configs
 * runs once per CONFIG SET.
 */
export type ApplyHook = (value: string, old: string) => string | null;

const byName = new Map<string, ConfigEntry>();
/** Every name CONFIG GET can match, primary names and aliases, in table order. */
const allNames: [string, ConfigEntry][] = [];
for (const e of CONFIG_ENTRIES) {
  byName.set(e.name, e);
  allNames.push([e.name, e]);
  for (const a of e.aliases ?? []) {
    byName.set(a, e);
    allNames.push([a, e]);
  }
}

/** Case-insensitive lookup by name or alias. */
export function lookupConfig(name: string): ConfigEntry | undefined {
  return byName.get(name) ?? byName.get(name.toLowerCase());
}

/** The entry and the registered name it was found under (an alias stays the alias). */
export function lookupConfigName(name: string): { entry: ConfigEntry; name: string } | undefined {
  const lower = name.toLowerCase();
  const entry = byName.get(lower);
  return entry === undefined ? undefined : { entry, name: lower };
}

export function allConfigs(): readonly ConfigEntry[] {
  return CONFIG_ENTRIES;
}

/** [name, entry] for every primary name and alias. */
export function allConfigNames(): readonly (readonly [string, ConfigEntry])[] {
  return allNames;
}

/** sdssplitlen(value, " "): how CONFIG SET splits a multi-argument value ("" is no argument). */
function splitSpaces(s: string): string[] {
  return s === '' ? [] : s.split(' ');
}

export interface ConfigStoreOptions {
  /** `dir` changes the process working directory, like Redis (default true). */
  chdirOnDir?: boolean;
}

export class ConfigStore {
  private readonly values = new Map<string, string>();
  /** Numeric configs as numbers (percentages negative, like Redis), for the hot paths. */
  private readonly nums = new Map<string, number>();
  /** Boolean configs by canonical name, for the hot paths. */
  private readonly bools = new Map<string, boolean>();
  private readonly hooks = new Map<string, ApplyHook[]>();
  /** Names set explicitly by the config file, argv or start-up options. */
  readonly explicit = new Set<string>();
  /** `user` lines of the config file, each as its arguments after "user" (for the ACL layer). */
  readonly userDirectives: string[][] = [];
  /** `rename-command` pairs in file order ([old, new]; new "" removes); the server applies them. */
  readonly renames: [string, string][] = [];
  /**
   * The `user` lines CONFIG REWRITE writes (each without the "user " prefix), supplied by the
   * ACL layer; null when no ACL layer is installed (see rewrite.ts for the fallback).
   */
  describeUsers: (() => string[]) | null = null;
  readonly chdirOnDir: boolean;
  /** A `save` line was read during start-up: later ones append instead of replacing. */
  private saveLoaded = false;

  constructor(opts: ConfigStoreOptions = {}) {
    this.chdirOnDir = opts.chdirOnDir ?? true;
    for (const e of CONFIG_ENTRIES) {
      const v = e.name === 'dir' && !this.chdirOnDir ? process.cwd() : e.default;
      this.store(e, v);
    }
  }

  private ctx(e: ConfigEntry, reading: boolean): SpecialContext {
    return { reading, saveLoaded: this.saveLoaded, current: this.values.get(e.name)!, chdir: this.chdirOnDir };
  }

  private store(e: ConfigEntry, v: string): void {
    this.values.set(e.name, v);
    if (e.type === 'int') this.nums.set(e.name, numericValue(e, v));
    else if (e.type === 'bool' && e.special?.read === undefined) this.bools.set(e.name, v === 'yes');
  }

  /** The value as CONFIG GET prints it. */
  get(e: ConfigEntry): string {
    const v = this.values.get(e.name)!;
    return e.special?.read ? e.special.read(v, this.ctx(e, false)) : v;
  }

  private entry(name: string): ConfigEntry {
    const e = lookupConfig(name);
    if (!e) throw new Error(`unknown config ${name}`);
    return e;
  }

  /** The stored (normalised) string form, as CONFIG GET prints it. */
  raw(name: string): string {
    return this.get(this.entry(name));
  }

  /** A numeric config as a number (a percentage is negative, as in Redis). */
  int(name: string): number {
    // Fast path: code asks by canonical name, which is how nums is keyed.
    const n = this.nums.get(name);
    if (n !== undefined) return n;
    const e = this.entry(name);
    return this.nums.get(e.name) ?? Number(this.get(e));
  }

  bool(name: string): boolean {
    const b = this.bools.get(name);
    return b !== undefined ? b : this.raw(name) === 'yes';
  }

  str(name: string): string {
    return this.raw(name);
  }

  /**
   * Sets a config at start-up (config file line, argv option, API option), with the config
   * file's rules: a multi-argument config given one non-empty argument splits it like a
   * config line, and `save` lines after the first append. No apply hooks run.
   * `reading` false reproduces Redis after an `include` (its reading flag is then cleared).
   * Returns null or the error text.
   */
  setInitial(name: string, args: readonly string[], reading = true): string | null {
    const e = lookupConfig(name);
    if (!e) return 'Bad directive or wrong number of arguments';
    if (!e.multiArg && args.length !== 1) return 'wrong number of arguments';
    const list = e.multiArg && args.length === 1 && args[0] !== '' ? (splitArgs(args[0]!) ?? []) : args;
    const v = normalize(e, list, this.ctx(e, reading));
    if (typeof v !== 'string') return v.error;
    const err = e.special?.commit?.(v, this.ctx(e, reading)) ?? null;
    if (err !== null) return err;
    this.store(e, v);
    this.explicit.add(e.name);
    if (e.name === 'save' && reading) this.saveLoaded = true;
    return null;
  }

  onApply(name: string, hook: ApplyHook): void {
    const e = this.entry(name);
    const list = this.hooks.get(e.name) ?? [];
    list.push(hook);
    this.hooks.set(e.name, list);
  }

  /** Restores values (with their side effects, e.g. dir's chdir), last set first. */
  private restore(entries: readonly ConfigEntry[], old: readonly string[]): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      e.special?.commit?.(old[i]!, this.ctx(e, false));
      this.store(e, old[i]!);
    }
  }

  /**
   * CONFIG SET of several parameters, atomically, in Redis's three steps: every value is
   * parsed and validated; then set (dir changes directory here); then the apply hooks of the
   * configs that changed run. A failure at any step restores every value, and a failed apply
   * re-runs the hooks already collected with the restored values. Each pair is
   * [entry, value as given to CONFIG SET, name for error messages]. Returns null or the error
   * message without "ERR ".
   */
  setMany(pairs: readonly (readonly [ConfigEntry, string, string?])[]): string | null {
    const fail = (i: number, err: string | null): string =>
      `CONFIG SET failed (possibly related to argument '${pairs[i]![2] ?? pairs[i]![0].name}')${err === null ? '' : ' - ' + err}`;
    const entries = pairs.map(([e]) => e);
    const next: string[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const [e, raw] = pairs[i]!;
      const v = normalize(e, e.multiArg ? splitSpaces(raw) : [raw], this.ctx(e, false));
      if (typeof v !== 'string') return fail(i, v.error);
      next.push(v);
    }
    const old = entries.map((e) => this.get(e));
    const changed: boolean[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const e = entries[i]!;
      const err = e.special?.commit?.(next[i]!, this.ctx(e, false)) ?? null;
      if (err !== null) {
        this.restore(entries.slice(0, i), old);
        return fail(i, err);
      }
      this.store(e, next[i]!);
      const always = (e.type === 'special' && !e.special!.reportsNoChange) || e.volatile === true;
      changed.push(always || next[i] !== old[i]);
    }
    return this.apply(pairs, entries, old, next, changed, fail);
  }

  private apply(
    pairs: readonly (readonly [ConfigEntry, string, string?])[],
    entries: readonly ConfigEntry[],
    old: readonly string[],
    next: readonly string[],
    changed: readonly boolean[],
    fail: (i: number, err: string | null) => string,
  ): string | null {
    const ran: [ApplyHook, number][] = [];
    const seen = new Set<ApplyHook>();
    for (let i = 0; i < pairs.length; i++) {
      if (!changed[i]) continue;
      for (const h of this.hooks.get(entries[i]!.name) ?? []) {
        if (seen.has(h)) continue;
        seen.add(h);
        ran.push([h, i]);
        const err = h(next[i]!, old[i]!);
        if (err !== null) {
          this.restore(entries, old);
          for (const [hh, j] of ran) hh(old[j]!, next[j]!);
          return fail(i, err);
        }
      }
    }
    return null;
  }
}

/** The number behind a numeric GET form ("700" octal, "10%" as -10). */
function numericValue(e: ConfigEntry, v: string): number {
  const spec = e.numeric!;
  if (spec.percent && v.endsWith('%')) return -Number(v.slice(0, -1));
  if (spec.octal) return parseInt(v, 8);
  return Number(v);
}
