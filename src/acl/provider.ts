// The ACL security provider the gate calls (server.security): users, authentication, command/
// key/channel permission checks, ACL LOG recording, live-connection effects of user changes.
//
// For other layers:
// - check(c, cmd, argv) both decides and, on denial, records the ACL LOG entry and the INFO
//   acl_access_denied_* counter. The log context is c.ext.aclContext when set (a script layer
//   sets 'lua' while it runs commands), else 'multi' while the client has CLIENT.multi set
//   (queueing, and EXEC's re-check of each queued command, which runs before MULTI is
//   cleared), else 'toplevel'. EXEC therefore only needs to call check() again.
// - evaluate(user, cmd, argv) decides without side effects (ACL DRYRUN).
// - aclOf(server) gives this provider to commands (AUTH, HELLO, ACL ...); loginByCertificate
//   serves TLS certificate logins; unrestrictedKeyAccess serves SORT's BY/GET patterns.

import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { AclVerdict, SecurityProvider } from '../server/security.js';
import { Command } from '../commands/registry.js';
import { CMD } from '../commands/flags.js';
import { getKeysFromSpecs, type KeyRef } from '../commands/keys.js';
import { fastKeyDenied, permsOf, simpleKeySpecs } from './keycheck.js';
import { clientInfoString, clientInfoHooks } from '../commands/client-cmd.js';
import { setUserDirectiveCheck } from '../config/load.js';
import { brokerOf } from '../pubsub/install.js';
import { catalog, type AclCmd } from './catalog.js';
import { PERM_READ, channelInList } from './selectors.js';
import { User, UserStore } from './users.js';
import { applyUserOp, aclErrorMessage, checkUserDirective, mergeSelectorArgs, stageUser } from './rules.js';
import { describeUser } from './describe.js';
import { AclLog, type DenyReason, type LogContext } from './log.js';
import { loadAclFile, type LoadedUsers } from './file.js';
import { AuthThrottle } from './throttle.js';
import { passwordFailure } from '../server/audit.js';

const ALLOW: AclVerdict = { ok: true };

/** Which arguments of a pub/sub command are channels (Redis's getChannelsFromCommand). */
interface ChannelSpec {
  first: number;
  /** Last index, or -1 for "to the end". */
  last: number;
  pattern: boolean;
}

const CHANNEL_COMMANDS: Record<string, ChannelSpec> = {
  publish: { first: 1, last: 1, pattern: false },
  spublish: { first: 1, last: 1, pattern: false },
  subscribe: { first: 1, last: -1, pattern: false },
  ssubscribe: { first: 1, last: -1, pattern: false },
  psubscribe: { first: 1, last: -1, pattern: true },
};

const REASON_RANK: Record<DenyReason, number> = { command: 1, key: 2, auth: 3, channel: 4 };

export type Denial = { ok: false; reason: 'command' | 'key' | 'channel'; argIndex: number };

// Validates `user` lines while the config file is read (unknown commands are reported later).
setUserDirectiveCheck((argv, seen) => checkUserDirective(argv, seen ?? [], false));

export class AclSecurity implements SecurityProvider {
  users = new UserStore();
  defaultUser: User;
  readonly log = new AclLog();
  readonly throttle: AuthThrottle;
  /** Registry command id → ACL catalog entry (original names, so renames change nothing). */
  private readonly aclCmd: (AclCmd | undefined)[] = [];
  private readonly channels: (ChannelSpec | undefined)[] = [];
  /** Key positions of commands whose key specs are simple ranges (the hot path: GET, SET...). */
  private readonly fastKeys: (Int32Array | undefined)[] = [];

  constructor(readonly server: Server) {
    for (const cmd of server.commands.byId) {
      this.aclCmd[cmd.id] = catalog.lookup(cmd.fullname);
      this.fastKeys[cmd.id] = simpleKeySpecs(cmd);
    }
    for (const [name, spec] of Object.entries(CHANNEL_COMMANDS)) {
      const cmd = server.commands.lookupOriginal(name);
      if (cmd !== undefined) this.channels[cmd.id] = spec;
    }
    this.defaultUser = AclSecurity.makeDefaultUser();
    this.users.set(this.defaultUser);
    this.throttle = new AuthThrottle(server.config);
  }

  static makeDefaultUser(): User {
    const u = new User('default', false);
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) applyUserOp(u, op, false);
    return u;
  }

  get pubsubAllChannels(): boolean {
    return this.server.config.str('acl-pubsub-default') === 'allchannels';
  }

  // --- SecurityProvider ---

  authRequired(c: Client): boolean {
    return !c.authenticated && !this.defaultUser.freeLogin && (c.flags & CLIENT.master) === 0;
  }

  startsAuthenticated(): boolean {
    return this.defaultUser.freeLogin;
  }

  userOf(c: Client): User {
    const u = c.principal as User | null;
    return u !== null && u.name === c.user ? u : this.defaultUser;
  }

  setClientUser(c: Client, u: User): void {
    c.principal = u;
    c.user = u.name;
  }

  check(c: Client, cmd: Command, argv: readonly string[]): AclVerdict {
    // The link from our primary (replication) is Redis's user-less client: it obeys.
    if ((c.flags & CLIENT.master) !== 0) return ALLOW;
    const u = this.userOf(c);
    const root = u.selectors[0]!;
    if (root.allCommands && root.allKeys && root.allChannels) return ALLOW;
    const v = this.evaluate(u, cmd, argv);
    if (!v.ok) this.logDenial(c, v.reason, v.reason === 'command' ? cmd.fullname : argv[v.argIndex]!, u.name);
    if (!v.ok) this.server.audit?.denied(c, cmd, v.reason, v.reason === 'command' ? cmd.fullname : argv[v.argIndex]!);
    return v;
  }

  /** The permission decision for a user, without side effects (ACL DRYRUN uses it too). */
  evaluate(u: User, cmd: Command, argv: readonly string[]): AclVerdict {
    const acmd = cmd.id >= 0 ? this.aclCmd[cmd.id] : catalog.lookup(cmd.fullname);
    let reason: Denial['reason'] = 'command';
    let lastIdx = 0;
    let keys: KeyRef[] | null = null;
    for (const s of u.selectors) {
      let denied: Denial['reason'] | null = null;
      let idx = 0;
      if (!s.allCommands && !cmd.has(CMD.no_auth) && (acmd === undefined || !s.canRun(acmd, argv))) {
        denied = 'command';
      }
      if (denied === null && !s.allKeys) {
        const fast = cmd.id >= 0 ? this.fastKeys[cmd.id] : undefined;
        const at = fast !== undefined ? fastKeyDenied(fast, s, argv) : -2;
        if (at === -2) {
          keys ??= getKeysFromSpecs(cmd, argv);
          for (const k of keys) {
            if (!s.keyAllowed(argv[k.index]!, permsOf(k.flags))) {
              denied = 'key';
              idx = k.index;
              break;
            }
          }
        } else if (at >= 0) {
          denied = 'key';
          idx = at;
        }
      }
      if (denied === null && !s.allChannels) {
        const spec = cmd.id >= 0 ? this.channels[cmd.id] : undefined;
        if (spec !== undefined) {
          const last = spec.last < 0 ? argv.length - 1 : Math.min(spec.last, argv.length - 1);
          for (let i = spec.first; i <= last; i++) {
            if (!channelInList(s.channels, argv[i]!, spec.pattern)) {
              denied = 'channel';
              idx = i;
              break;
            }
          }
        }
      }
      if (denied === null) return ALLOW;
      if (REASON_RANK[denied] > REASON_RANK[reason] || (denied === reason && idx > lastIdx)) {
        reason = denied;
        lastIdx = idx;
      }
    }
    return { ok: false, reason, argIndex: lastIdx };
  }

  /**
   * Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess: some selector that may run the command
   * also grants `need` (PERM_*) on every key. SORT's BY/GET patterns require it for reads.
   */
  unrestrictedKeyAccess(c: Client, cmdName: string, argv: readonly string[], need = PERM_READ): boolean {
    const cmd = this.server.commands.lookupOriginal(cmdName);
    if (cmd === undefined) return false;
    const u = this.userOf(c);
    const one = { selectors: [u.root] } as User;
    for (const s of u.selectors) {
      one.selectors[0] = s;
      if (!this.evaluate(one, cmd, argv).ok) continue;
      if (s.allKeys || s.patterns.some((p) => p.pattern === '*' && (p.flags & need) === need)) return true;
    }
    return false;
  }

  /**
   * A Command for ACL DRYRUN: the registry's (current names), else, for a command of the
   * table Redoubt does not implement, one built from its spec (looked up by original name).
   */
  dryrunCommand(args: readonly string[]): Command | undefined {
    const cmd = this.server.commands.lookup(args);
    if (cmd !== undefined) return cmd;
    const base = args[0]!.toLowerCase();
    if (this.server.commands.original.has(base)) return undefined;
    const top = catalog.lookup(base);
    if (top === undefined || top.parent !== null) return undefined;
    const topCmd = new Command(-1, top.spec, null, null, null);
    if (top.subs === null || args.length < 2) return topCmd;
    const sub = catalog.lookup(`${base}|${args[1]!.toLowerCase()}`);
    return sub === undefined ? undefined : new Command(-1, sub.spec, topCmd, null, null);
  }

  logContext(c: Client): LogContext {
    const ctx = c.ext['aclContext'];
    if (typeof ctx === 'string') return ctx as LogContext;
    return c.has(CLIENT.multi) ? 'multi' : 'toplevel';
  }

  logDenial(c: Client, reason: DenyReason, object: string, username: string): void {
    const st = this.server.stats;
    if (reason === 'command') st.aclDeniedCmd++;
    else if (reason === 'key') st.aclDeniedKey++;
    else if (reason === 'channel') st.aclDeniedChannel++;
    else st.aclDeniedAuth++;
    this.log.add(
      {
        reason,
        context: this.logContext(c),
        object,
        username,
        ctime: Date.now(),
        clientInfo: clientInfoString(c, c),
      },
      this.server.config.int('acllog-max-len'),
    );
  }

  // --- Authentication ---

  /**
   * AUTH / HELLO AUTH: true and the client authenticated as the user, or false (logged in
   * ACL LOG with the client's address; counted by the optional throttle).
   */
  authenticate(c: Client, username: string, password: string): boolean {
    const u = this.users.get(username);
    const ok = u !== undefined && u.checkPassword(password);
    if (ok) {
      c.authenticated = true;
      this.setClientUser(c, u);
      this.server.audit?.auth(c, username, null);
      return true;
    }
    this.server.audit?.auth(c, username, passwordFailure(u));
    this.throttle.failed(c.addr);
    this.logDenial(c, 'auth', c.argv[0] ?? 'AUTH', username);
    return false;
  }

  /**
   * TLS certificate login (tls-auth-clients-user): the certificate is the credential, so only
   * existence and "on" are checked. Not logged on failure: the TLS layer reports it.
   */
  loginByCertificate(c: Client, username: string): boolean {
    const u = this.users.get(username);
    if (u === undefined || u.disabled) return false;
    c.authenticated = true;
    this.setClientUser(c, u);
    this.server.audit?.auth(c, username, null, 'certificate');
    return true;
  }

  /** requirepass: the default user's only password, or nopass when empty. */
  setRequirePass(pass: string): void {
    applyUserOp(this.defaultUser, 'resetpass', false);
    applyUserOp(this.defaultUser, pass === '' ? 'nopass' : '>' + pass, false);
  }

  // --- User changes ---

  /** ACL SETUSER: null on success, or the error text (nothing changed). */
  setUser(name: string, args: readonly string[]): string | null {
    const existing = this.users.get(name);
    const staged = stageUser(existing, name, args, this.pubsubAllChannels);
    if (!staged.ok) return staged.error;
    if (existing !== undefined) {
      this.killPubsubClientsIfNeeded(staged.user, existing);
      existing.copyFrom(staged.user);
    } else {
      this.users.set(staged.user);
    }
    return null;
  }

  /** ACL DELUSER of one user: its connections are logged out and closed. */
  deleteUser(name: string): boolean {
    const u = this.users.get(name);
    if (u === undefined || u === this.defaultUser) return false;
    this.users.delete(name);
    this.disconnectUser(u);
    return true;
  }

  private disconnectUser(u: User): void {
    for (const c of [...this.server.clients.values()]) {
      if (c.principal !== u) continue;
      this.setClientUser(c, this.defaultUser);
      c.authenticated = false;
      this.closeClient(c, true);
    }
  }

  private closeClient(c: Client, afterReply: boolean): void {
    if (c === this.server.currentClient) {
      c.flags |= afterReply ? CLIENT.closeAfterReply : CLIENT.closeAsap;
    } else if (c.control !== null) {
      c.control.close();
    } else {
      this.server.removeClient(c);
    }
  }

  /** Redis's ACLKillPubsubClientsIfNeeded: subscribers whose channels were revoked go. */
  private killPubsubClientsIfNeeded(next: User, original: User): void {
    if (next.selectors.some((s) => s.allChannels)) return;
    const upcoming: string[] = [];
    for (const s of next.selectors) upcoming.push(...s.channels);
    let superset = true;
    for (const s of original.selectors) {
      if (s.allChannels || s.channels.some((ch) => !upcoming.includes(ch))) {
        superset = false;
        break;
      }
    }
    if (superset) return;
    const broker = brokerOf(this.server);
    for (const c of [...this.server.clients.values()]) {
      if (c.principal !== original || !c.has(CLIENT.pubsub)) continue;
      const subs = broker.of(c);
      if (subs === undefined) continue;
      let kill = false;
      for (const p of subs.patterns) if (!channelInList(upcoming, p, true)) kill = true;
      if (!kill) for (const ch of subs.channels) if (!channelInList(upcoming, ch, false)) kill = true;
      if (!kill) for (const ch of subs.shard) if (!channelInList(upcoming, ch, false)) kill = true;
      if (kill) this.closeClient(c, false);
    }
  }

  /** ACL LOAD: replaces every user at once; null or the error text. */
  loadFile(path: string): string | null {
    const r = loadAclFile(path, this.pubsubAllChannels);
    if (typeof r === 'string') return r;
    this.replaceUsers(r);
    return null;
  }

  /**
   * Installs a freshly loaded set of users. The default user object is kept (its rules are
   * copied) so its connections stay; connections of every other previous user are closed, as
   * in Redis, whose old user objects are freed.
   */
  private replaceUsers(loaded: LoadedUsers): void {
    const old = this.users;
    const newDefault = loaded.get('default') ?? AclSecurity.makeDefaultUser();
    this.defaultUser.copyFrom(newDefault);
    loaded.set(this.defaultUser);
    this.users = loaded;
    for (const u of old.sorted()) if (u !== this.defaultUser) this.disconnectUser(u);
  }

  /** Lines for CONFIG REWRITE / ACL SAVE / ACL LIST: "name rules...". */
  describeAll(): string[] {
    return this.users.sorted().map((u) => `${u.name} ${describeUser(u)}`);
  }

  /** The `user` directives of the config file, at start-up (Redis ACLLoadConfiguredUsers). */
  loadConfiguredUsers(directives: readonly (readonly string[])[]): void {
    for (const d of directives) {
      const name = d[0]!;
      if (/[\s\0]/.test(name)) throw new Error('Spaces not allowed in ACL usernames');
      let u = this.users.get(name);
      if (u === undefined) {
        u = new User(name, this.pubsubAllChannels);
        this.users.set(u);
      } else {
        applyUserOp(u, 'reset', this.pubsubAllChannels);
      }
      // The loader already refused unmatched parentheses, so the merge always succeeds here.
      const merged = mergeSelectorArgs(d.slice(1));
      for (const op of Array.isArray(merged) ? merged : []) {
        const err = applyUserOp(u, op, this.pubsubAllChannels);
        if (err !== null) {
          this.server.log.warning(
            `Error loading ACL rule '${op}' for the user named '${name}': ${aclErrorMessage(err)}`,
          );
          throw new Error('Critical error while loading ACLs. Exiting.');
        }
      }
      if (u.disabled) {
        this.server.log.notice(
          `The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`,
        );
      }
    }
  }
}

/** Every provider created in this process (several in-process servers may coexist). */
const running = new Set<WeakRef<AclSecurity>>();

function userExistsOnRunningServer(name: string): boolean {
  for (const ref of running) {
    const acl = ref.deref();
    if (acl === undefined) running.delete(ref);
    else if (acl.server.currentClient !== null) return acl.users.get(name) !== undefined;
  }
  return false;
}

export function aclOf(server: Server): AclSecurity {
  return server.security as AclSecurity;
}

/** Creates the provider, applies requirepass, `user` directives and the aclfile. */
export function installAcl(server: Server): AclSecurity {
  const acl = new AclSecurity(server);
  const config = server.config;
  acl.setRequirePass(config.str('requirepass'));
  config.onApply('requirepass', (v) => (acl.setRequirePass(v), null));
  config.describeUsers = () => acl.describeAll();
  // CLIENT KILL USER: the hook is process-wide, so it asks the server whose command is running.
  running.add(new WeakRef(acl));
  clientInfoHooks.userExists = userExistsOnRunningServer;
  const aclfile = config.str('aclfile');
  if (aclfile !== '' && config.userDirectives.length > 0) {
    throw new Error(
      'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
    );
  }
  acl.loadConfiguredUsers(config.userDirectives);
  if (aclfile !== '') {
    const err = acl.loadFile(aclfile);
    if (err !== null) throw new Error(`Aborting Redis startup because of ACL errors: ${err}`);
  }
  return acl;
}

export { aclErrorMessage };
