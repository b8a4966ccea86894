// REPLICAOF / SLAVEOF: follow a primary, or stop following one (NO ONE). The link itself is in
// replication/replica.ts; this is the command's validation, replies and log lines.

import type { CommandImpls, Handler } from './types.js';
import { linkOf } from '../replication/replica.js';
import { clientInfoString } from './client-cmd.js';
import { parseInt64 } from './args.js';

/** Redis's getRangeLongFromObjectOrReply(0, 65535, "Invalid master port"). */
function parsePort(arg: string): number | null {
  const v = parseInt64(arg);
  return v !== null && v >= 0n && v <= 65535n ? Number(v) : null;
}

const replicaof: Handler = (c, argv) => {
  const server = c.server;
  const link = linkOf(server);
  if (link === null) return c.reply.error('ERR replication is not available');
  const host = argv[1]!;
  if (host.toLowerCase() === 'no' && argv[2]!.toLowerCase() === 'one') {
    if (link.active) {
      link.unsetMaster();
      server.config.setInitial('replicaof', ['no', 'one'], false);
      server.log.notice(`MASTER MODE enabled (user request from '${clientInfoString(c, c)}')`);
    }
    return c.reply.ok();
  }
  if (c.ext.replica === true) return c.reply.error('ERR Command is not valid when client is a replica.');
  const port = parsePort(argv[2]!);
  if (port === null) return c.reply.error('ERR Invalid master port');
  if (link.active && link.host!.toLowerCase() === host.toLowerCase() && link.port === port) {
    server.log.notice(
      'REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.',
    );
    return c.reply.simple('OK Already connected to specified master');
  }
  link.setMaster(host, port);
  server.config.setInitial('replicaof', [host, String(port)], false);
  server.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${clientInfoString(c, c)}')`);
  c.reply.ok();
};

export const replicaofCommands: CommandImpls = {
  replicaof,
  slaveof: replicaof,
};
