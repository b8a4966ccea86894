// ACL subcommands: SETUSER GETUSER DELUSER LIST USERS WHOAMI CAT GENPASS LOG DRYRUN LOAD SAVE
// HELP, with Redis 7.0.15's replies and errors. The user model lives in src/acl/.

import { GENPASS_MAX_BITS, generatePassword } from '../acl/genpass.js';
import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { parseIntArg } from './args.js';
import { ACL_CATEGORIES } from './categories.js';
import { aclOf } from '../acl/provider.js';
import { catalog, categoryIndex, type AclCmd } from '../acl/catalog.js';
import { hasSpaces, type Selector } from '../acl/selectors.js';
import { channelsField, describeCommands, keysField, userFlags } from '../acl/describe.js';
import { saveAclFile } from '../acl/file.js';

const NO_ACLFILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

function selectorFields(c: Client, s: Selector): void {
  c.reply.bulk('commands');
  c.reply.bulk(describeCommands(s));
  c.reply.bulk('keys');
  c.reply.bulk(keysField(s));
  c.reply.bulk('channels');
  c.reply.bulk(channelsField(s));
}

function getuser(c: Client, argv: string[]): void {
  const u = aclOf(c.server).users.get(argv[2]!);
  if (u === undefined) return c.reply.nullBulk();
  const r = c.reply;
  r.mapLen(6);
  r.bulk('flags');
  const flags = userFlags(u);
  r.setLen(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('passwords');
  r.bulkArray(u.passwords);
  selectorFields(c, u.root);
  r.bulk('selectors');
  r.arrayLen(u.selectors.length - 1);
  for (let i = 1; i < u.selectors.length; i++) {
    r.mapLen(3);
    selectorFields(c, u.selectors[i]!);
  }
}

function catCommands(list: readonly AclCmd[], flag: number, out: string[]): void {
  for (const cmd of list) {
    if (cmd.categories & flag) out.push(cmd.fullname);
    if (cmd.subs !== null) catCommands(cmd.subs, flag, out);
  }
}

function log(c: Client, argv: string[]): void {
  const acl = aclOf(c.server);
  let count = 10;
  if (argv.length === 3) {
    if (argv[2]!.toLowerCase() === 'reset') {
      acl.log.reset();
      return c.reply.ok();
    }
    const n = parseIntArg(argv[2]!);
    if (n === null) return c.reply.error(E.notInteger);
    count = Math.max(0, n);
  }
  const entries = acl.log.entries.slice(0, count);
  const now = Date.now();
  const r = c.reply;
  r.arrayLen(entries.length);
  for (const e of entries) {
    r.mapLen(10);
    r.bulk('count');
    r.int(e.count);
    r.bulk('reason');
    r.bulk(e.reason);
    r.bulk('context');
    r.bulk(e.context);
    r.bulk('object');
    r.bulk(e.object);
    r.bulk('username');
    r.bulk(e.username);
    r.bulk('age-seconds');
    r.double((now - e.ctime) / 1000);
    r.bulk('client-info');
    r.bulk(e.clientInfo);
    r.bulk('entry-id');
    r.int(e.entryId);
    r.bulk('timestamp-created');
    r.int(e.created);
    r.bulk('timestamp-last-updated');
    r.int(e.ctime);
  }
}

function dryrun(c: Client, argv: string[]): void {
  const acl = aclOf(c.server);
  const u = acl.users.get(argv[2]!);
  if (u === undefined) return c.reply.error(`ERR User '${argv[2]}' not found`);
  const args = argv.slice(3);
  const cmd = acl.dryrunCommand(args);
  if (cmd === undefined) return c.reply.error(`ERR Command '${argv[3]}' not found`);
  if (!cmd.arityOk(args.length)) return c.reply.error(`ERR wrong number of arguments for '${cmd.fullname}' command`);
  const v = acl.evaluate(u, cmd, args);
  if (v.ok) return c.reply.ok();
  if (v.reason === 'command') c.reply.bulk(`This user has no permissions to run the '${cmd.fullname}' command`);
  else c.reply.bulk(`This user has no permissions to access the '${args[v.argIndex]}' ${v.reason}`);
}

const HELP = [
  'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
  'HELP',
  '    Prints this help.',
];

export const aclCommands: CommandImpls = {
  'acl|setuser'(c, argv) {
    const name = argv[2]!;
    if (hasSpaces(name)) return c.reply.error("ERR Usernames can't contain spaces or null characters");
    const err = aclOf(c.server).setUser(name, argv.slice(3));
    if (err === null) c.reply.ok();
    else c.reply.error('ERR ' + err);
  },

  'acl|getuser': getuser,

  'acl|deluser'(c, argv) {
    const acl = aclOf(c.server);
    for (let j = 2; j < argv.length; j++) {
      if (argv[j] === 'default') return c.reply.error("ERR The 'default' user cannot be removed");
    }
    let deleted = 0;
    for (let j = 2; j < argv.length; j++) if (acl.deleteUser(argv[j]!)) deleted++;
    c.reply.int(deleted);
  },

  'acl|list'(c) {
    c.reply.bulkArray(
      aclOf(c.server)
        .describeAll()
        .map((l) => 'user ' + l),
    );
  },

  'acl|users'(c) {
    c.reply.bulkArray(
      aclOf(c.server)
        .users.sorted()
        .map((u) => u.name),
    );
  },

  'acl|whoami'(c) {
    c.reply.bulk(aclOf(c.server).userOf(c).name);
  },

  'acl|load'(c) {
    const file = c.server.config.str('aclfile');
    if (file === '') return c.reply.error(NO_ACLFILE);
    const err = aclOf(c.server).loadFile(file);
    if (err === null) c.reply.ok();
    else c.reply.error('ERR ' + err);
  },

  'acl|save'(c) {
    const file = c.server.config.str('aclfile');
    if (file === '') return c.reply.error(NO_ACLFILE);
    const err = saveAclFile(
      file,
      aclOf(c.server)
        .describeAll()
        .map((l) => 'user ' + l),
    );
    if (err === null) return c.reply.ok();
    c.server.log.warning(err);
    c.reply.error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
  },

  'acl|cat'(c, argv) {
    if (argv.length === 2) return c.reply.bulkArray(ACL_CATEGORIES);
    if (argv.length !== 3) return c.reply.error(unknownSub(argv));
    const i = categoryIndex(argv[2]!);
    if (i < 0) return c.reply.error(`ERR Unknown category '${argv[2]!.slice(0, 128)}'`);
    const out: string[] = [];
    catCommands(catalog.top, 1 << i, out);
    c.reply.bulkArray(out);
  },

  'acl|genpass'(c, argv) {
    if (argv.length > 3) return c.reply.error(unknownSub(argv));
    let bits = 256;
    if (argv.length === 3) {
      const n = parseIntArg(argv[2]!);
      if (n === null) return c.reply.error(E.notInteger);
      bits = n;
    }
    if (bits <= 0 || bits > GENPASS_MAX_BITS) {
      return c.reply.error(
        `ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`,
      );
    }
    c.reply.bulk(generatePassword(bits));
  },

  'acl|log'(c, argv) {
    if (argv.length > 3) return c.reply.error(unknownSub(argv));
    log(c, argv);
  },

  'acl|dryrun': dryrun,

  'acl|help'(c) {
    c.reply.arrayLen(HELP.length);
    for (const line of HELP) c.reply.simple(line);
  },
};

/** Redis's addReplySubcommandSyntaxError. */
function unknownSub(argv: readonly string[]): string {
  return `ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try ACL HELP.`;
}
