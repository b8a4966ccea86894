// The command universe ACL rules speak about: every command and subcommand of the generated
// table (implemented or not, as Redis's orig_commands), each with an ACL id and its category
// bits. Rules always name ORIGINAL commands, so rename-command never shifts permissions.

import { COMMAND_TABLE } from '../commands/table.generated.js';
import { ACL_CATEGORIES, allCategories } from '../commands/categories.js';
import type { CommandSpec } from '../commands/spec.js';

export interface AclCmd {
  readonly aclId: number;
  readonly fullname: string;
  readonly categories: number;
  readonly parent: AclCmd | null;
  subs: AclCmd[] | null;
  readonly spec: CommandSpec;
}

function categoryBits(spec: CommandSpec): number {
  let bits = 0;
  for (const c of allCategories(spec)) {
    const i = ACL_CATEGORIES.indexOf(c);
    if (i >= 0) bits |= 1 << i;
  }
  return bits;
}

class Catalog {
  readonly all: AclCmd[] = [];
  readonly top: AclCmd[] = [];
  private readonly byName = new Map<string, AclCmd>();

  constructor() {
    for (const spec of COMMAND_TABLE) {
      const cmd = this.add(spec, null);
      this.top.push(cmd);
      if (spec.subcommands !== undefined && spec.subcommands.length > 0) {
        cmd.subs = spec.subcommands.map((s) => this.add(s, cmd));
      }
    }
  }

  private add(spec: CommandSpec, parent: AclCmd | null): AclCmd {
    const fullname = parent === null ? spec.name : `${parent.fullname}|${spec.name}`;
    const cmd: AclCmd = { aclId: this.all.length, fullname, categories: categoryBits(spec), parent, subs: null, spec };
    this.all.push(cmd);
    this.byName.set(fullname, cmd);
    return cmd;
  }

  /** "get" or "config|get", case-insensitive (Redis's lookup in orig_commands). */
  lookup(name: string): AclCmd | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Number of 32-bit words a command bitmap needs. */
  get words(): number {
    return (this.all.length >> 5) + 1;
  }
}

export const catalog = new Catalog();

/** Category index by name, case-insensitive as in Redis; -1 when unknown. */
export function categoryIndex(name: string): number {
  return ACL_CATEGORIES.indexOf(name.toLowerCase());
}
