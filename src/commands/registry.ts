// The command registry: the generated table joined with the implementations. Each command and
// subcommand gets an integer id (ACL bitsets index by it), flag bits and category bits.

import { COMMAND_TABLE } from './table.generated.js';
import type { CommandSpec } from './spec.js';
import type { CommandImpls, GetKeys, Handler } from './types.js';
import { CMD, flagBits } from './flags.js';
import { ACL_CATEGORIES, allCategories } from './categories.js';

/** Flags Redis keeps out of COMMAND INFO (so out of the generated table), by command name. */
const HIDDEN_FLAGS: Readonly<Record<string, number>> = {
  scan: CMD.touches_arbitrary_keys,
  randomkey: CMD.touches_arbitrary_keys,
  // May-replicate: held by CLIENT PAUSE WRITE and refused in read-only scripts, like writes.
  // (EVAL, EVALSHA and FCALL take their flags from the script instead.)
  pfcount: CMD.may_replicate,
  publish: CMD.may_replicate,
  spublish: CMD.may_replicate,
};

export class CommandStats {
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;
}

export class Command {
  readonly fullname: string;
  readonly flags: number;
  /** Bit i set = member of ACL_CATEGORIES[i]. */
  readonly categories: number;
  subcommands: Map<string, Command> | null = null;
  readonly stats = new CommandStats();
  /** The name clients use (differs from `name` after rename-command). */
  publicName: string;

  constructor(
    readonly id: number,
    readonly spec: CommandSpec,
    readonly parent: Command | null,
    readonly handler: Handler | null,
    readonly getKeys: GetKeys | null,
  ) {
    this.fullname = parent ? `${parent.spec.name}|${spec.name}` : spec.name;
    this.publicName = this.fullname;
    this.flags = flagBits(spec.flags) | (parent === null ? (HIDDEN_FLAGS[spec.name] ?? 0) : 0);
    let cats = 0;
    for (const c of allCategories(spec)) {
      const i = ACL_CATEGORIES.indexOf(c);
      if (i >= 0) cats |= 1 << i;
    }
    this.categories = cats;
  }

  get name(): string {
    return this.spec.name;
  }

  get arity(): number {
    return this.spec.arity;
  }

  has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  inCategory(index: number): boolean {
    return (this.categories & (1 << index)) !== 0;
  }

  /** True when argc satisfies the arity (negative arity = at least that many). */
  arityOk(argc: number): boolean {
    const a = this.spec.arity;
    return a > 0 ? argc === a : argc >= -a;
  }
}

/** Bound on remembered command-name spellings. */
const SPELLINGS_MAX = 512;

export class CommandRegistry {
  /** Top-level commands by lower-case public name. */
  readonly byName = new Map<string, Command>();
  /** Every command and subcommand, indexed by id. */
  readonly byId: Command[] = [];
  /** Other-case spellings of top-level names seen by lookup(), e.g. "GET" (cleared on rename). */
  private readonly spelled = new Map<string, Command>();
  /** Original (never renamed) top-level commands, for ACL rules and COMMAND. */
  readonly original = new Map<string, Command>();

  constructor(impls: CommandImpls, getKeys: Record<string, GetKeys> = {}) {
    for (const spec of COMMAND_TABLE) {
      const sub = spec.subcommands ?? [];
      const hasImpl = impls[spec.name] !== undefined || sub.some((s) => impls[`${spec.name}|${s.name}`] !== undefined);
      if (!hasImpl) continue;
      const cmd = this.add(spec, null, impls[spec.name] ?? null, getKeys[spec.name] ?? null);
      if (sub.length > 0) {
        cmd.subcommands = new Map();
        for (const s of sub) {
          const full = `${spec.name}|${s.name}`;
          const h = impls[full];
          if (h === undefined) continue;
          cmd.subcommands.set(s.name, this.add(s, cmd, h, getKeys[full] ?? null));
        }
      }
      this.byName.set(spec.name, cmd);
      this.original.set(spec.name, cmd);
    }
  }

  private add(spec: CommandSpec, parent: Command | null, h: Handler | null, gk: GetKeys | null): Command {
    const cmd = new Command(this.byId.length, spec, parent, h, gk);
    this.byId.push(cmd);
    return cmd;
  }

  /** The command argv names, or undefined; a container with an unknown subcommand is undefined. */
  lookup(argv: readonly string[]): Command | undefined {
    const n = argv[0]!;
    // One lookup for a name seen before, in whatever case the client sends it.
    let cmd = this.spelled.get(n);
    if (cmd === undefined) {
      cmd = this.byName.get(n.toLowerCase());
      if (cmd === undefined) return undefined;
      // Remember the spelling ("SET", "set", "Set"...) to skip toLowerCase next time (bounded,
      // so that a client cycling through case variants cannot grow it).
      if (this.spelled.size < SPELLINGS_MAX) this.spelled.set(n, cmd);
    }
    if (cmd.subcommands === null || argv.length < 2) return cmd;
    return cmd.subcommands.get(argv[1]!.toLowerCase());
  }

  isContainer(name: string): boolean {
    const c = this.byName.get(name.toLowerCase());
    return c !== undefined && c.subcommands !== null;
  }

  /** By original name, e.g. "config|get" (ACL rules and COMMAND INFO use these). */
  lookupOriginal(fullname: string): Command | undefined {
    const [base, sub] = fullname.toLowerCase().split('|') as [string, string | undefined];
    const c = this.original.get(base);
    if (c === undefined || sub === undefined) return c;
    return c.subcommands?.get(sub);
  }

  /** rename-command: an empty new name removes the command. Returns false if unknown. */
  rename(from: string, to: string): boolean {
    const c = this.byName.get(from.toLowerCase());
    if (c === undefined) return false;
    this.spelled.clear();
    this.byName.delete(from.toLowerCase());
    if (to !== '') {
      c.publicName = to.toLowerCase();
      this.byName.set(to.toLowerCase(), c);
    }
    return true;
  }
}

export { CMD };
