// Connection commands: PING ECHO QUIT SELECT HELLO AUTH RESET.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { parseIntArg } from './args.js';
import { REDIS_VERSION } from '../server/version.js';
import { aclOf } from '../acl/provider.js';
import { THROTTLED } from '../acl/throttle.js';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

/** AUTH / HELLO AUTH through the ACL layer; replies the error itself and returns false. */
function auth(c: Client, user: string, pass: string): boolean {
  const acl = aclOf(c.server);
  if (acl.throttle.blocked(c.addr)) {
    // Still recorded, so ACL LOG shows the attempts the throttle turned away.
    acl.logDenial(c, 'auth', c.argv[0] ?? 'AUTH', user);
    c.server.audit?.auth(c, user, 'throttled');
    c.reply.error(THROTTLED);
    return false;
  }
  if (acl.authenticate(c, user, pass)) return true;
  c.reply.error(WRONGPASS);
  return false;
}

function helloReply(c: Client): void {
  const r = c.reply;
  r.mapLen(7);
  r.bulk('server');
  r.bulk('redis');
  r.bulk('version');
  r.bulk(REDIS_VERSION);
  r.bulk('proto');
  r.int(c.resp);
  r.bulk('id');
  r.int(c.id);
  r.bulk('mode');
  r.bulk('standalone');
  r.bulk('role');
  r.bulk('master');
  r.bulk('modules');
  r.arrayLen(0);
}

export const connectionCommands: CommandImpls = {
  ping(c, argv) {
    if (argv.length > 2) return c.reply.error("wrong number of arguments for 'ping' command");
    if (c.has(CLIENT.pubsub) && c.resp === 2) {
      c.reply.arrayLen(2);
      c.reply.bulk('pong');
      c.reply.bulk(argv.length === 2 ? argv[1]! : '');
      return;
    }
    if (argv.length === 2) c.reply.bulk(argv[1]!);
    else c.reply.simple('PONG');
  },

  echo(c, argv) {
    c.reply.bulk(argv[1]!);
  },

  quit(c) {
    c.reply.ok();
    c.flags |= CLIENT.closeAfterReply;
  },

  select(c, argv) {
    const id = parseIntArg(argv[1]!);
    if (id === null) return c.reply.error(E.notInteger);
    // Redis parses the index as a C int, with its own message for a 64-bit value outside 32 bits.
    if (id < -0x80000000 || id > 0x7fffffff) {
      return c.reply.error('ERR value is out of range, value must between -2147483648 and 2147483647');
    }
    if (id < 0 || id >= c.server.dbs.length) return c.reply.error(E.dbIndexOutOfRange);
    c.select(id);
    c.reply.ok();
  },

  auth(c, argv) {
    if (argv.length > 3) return c.reply.error(E.syntax);
    const user = argv.length === 3 ? argv[1]! : 'default';
    const pass = argv[argv.length - 1]!;
    if (argv.length === 2 && aclOf(c.server).defaultUser.nopass) {
      return c.reply.error(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      );
    }
    if (auth(c, user, pass)) c.reply.ok();
  },

  hello(c, argv) {
    let ver = 0;
    let i = 1;
    if (argv.length >= 2) {
      const v = parseIntArg(argv[1]!);
      if (v === null) return c.reply.error('Protocol version is not an integer or out of range');
      ver = v;
      i = 2;
      if (ver < 2 || ver > 3) return c.reply.error('NOPROTO unsupported protocol version');
    }
    let setName: string | null = null;
    for (; i < argv.length; i++) {
      const opt = argv[i]!.toLowerCase();
      const left = argv.length - i - 1;
      if (opt === 'auth' && left >= 2) {
        if (!auth(c, argv[i + 1]!, argv[i + 2]!)) return;
        i += 2;
      } else if (opt === 'setname' && left >= 1) {
        setName = argv[++i]!;
        if (!validClientName(setName)) {
          return c.reply.error('Client names cannot contain spaces, newlines or special characters.');
        }
      } else {
        return c.reply.error(`Syntax error in HELLO option '${argv[i]}'`);
      }
    }
    // Redis tests the flag itself here (not whether the default user needs a password).
    if (!c.authenticated) {
      return c.reply.error(
        'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
      );
    }
    if (setName !== null) c.name = setName;
    if (ver !== 0) c.resp = ver as 2 | 3;
    helloReply(c);
  },

  reset(c) {
    c.flags &= CLIENT.unixSocket;
    c.select(0);
    c.resp = 2;
    c.name = '';
    aclOf(c.server).setClientUser(c, aclOf(c.server).defaultUser);
    c.authenticated = c.server.security.startsAuthenticated();
    for (const h of c.server.hooks.clientReset) h(c);
    c.reply.simple('RESET');
  },
};

/** CLIENT SETNAME / HELLO SETNAME: printable ASCII without spaces. */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}
