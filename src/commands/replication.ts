// Commands of the primary side of replication: SYNC, PSYNC, REPLCONF, ROLE and WAIT, with
// Redis 7.0.15's replies and errors (replication.c syncCommand, replconfCommand, roleCommand,
// waitCommand).

import type { CommandImpls } from './types.js';
import { CLIENT, type Client } from '../server/client.js';
import { eqi, parseInt64 } from './args.js';
import { splitArgs } from '../protocol/splitargs.js';
import { linkOf, peekPrimary, primaryOf, replicaIp } from '../replication/primary.js';

/** SYNC and PSYNC: the checks of Redis's syncCommand, then a partial or a full resync. */
function sync(c: Client, argv: string[]): void {
  // Already a replica (or a monitor): ignored.
  if (c.ext.replica === true || c.has(CLIENT.monitor)) return;
  const server = c.server;
  const psync = eqi(argv[0]!, 'psync');
  if (psync && argv.length > 3 && eqi(argv[3]!, 'failover')) {
    if (!server.repl.isReplica) return c.reply.error("PSYNC FAILOVER can't be sent to a master.");
    return c.reply.error('PSYNC FAILOVER replid must match my replid.');
  }
  if (server.repl.isReplica && server.repl.replica?.masterClient == null) {
    return c.reply.error("NOMASTERLINK Can't SYNC while not connected with my master");
  }
  if (c.reply.hasPending) return c.reply.error('SYNC and PSYNC are invalid with pending output');
  const link = linkOf(c);
  if (link.filtered && !link.capaEof) return c.reply.error('Filtered replica requires EOF capability');
  server.log.notice(
    `Replica ${link.listeningPort !== 0 ? `${replicaIp(c)}:${link.listeningPort}` : c.addr} asks for synchronization`,
  );
  const p = primaryOf(server);
  if (psync) {
    const offset = parseInt64(argv[2]!);
    if (offset === null) return c.reply.error('value is not an integer or out of range');
    if (p.tryPartial(c, argv[1]!, Number(offset))) {
      p.syncPartialOk++;
      return;
    }
    if (!argv[1]!.startsWith('?')) p.syncPartialErr++;
  }
  p.fullSync(c, psync);
}

/** REPLCONF <option> <value> ...: what a replica tells its primary (replconfCommand). */
function replconf(c: Client, argv: string[]): void {
  if (argv.length % 2 === 0) return c.reply.error('ERR syntax error');
  const link = linkOf(c);
  for (let j = 1; j < argv.length; j += 2) {
    const opt = argv[j]!.toLowerCase();
    const val = argv[j + 1]!;
    if (opt === 'listening-port') {
      const port = parseInt64(val);
      if (port === null) return c.reply.error('value is not an integer or out of range');
      link.listeningPort = Number(port);
    } else if (opt === 'ip-address') {
      // NET_HOST_STR_LEN is 256 (with the terminator).
      if (val.length >= 256) {
        return c.reply.error(`REPLCONF ip-address provided by replica instance is too long: ${val.length} bytes`);
      }
      link.ipAddress = val;
    } else if (opt === 'capa') {
      if (eqi(val, 'eof')) link.capaEof = true;
      else if (eqi(val, 'psync2')) link.capaPsync2 = true;
    } else if (opt === 'ack') {
      // Never answered: the link carries only the stream. Ignored from non-replicas.
      if (c.ext.replica !== true) return;
      const offset = parseInt64(val);
      if (offset === null) return;
      let aof: number | null = null;
      if (argv.length > j + 3 && eqi(argv[j + 2]!, 'fack')) {
        const f = parseInt64(argv[j + 3]!);
        if (f === null) return;
        aof = Number(f);
      }
      primaryOf(c.server).ack(c, Number(offset), aof);
      return;
    } else if (opt === 'getack') {
      // From our primary: answer with REPLCONF ACK at once. Never replied to.
      if (c.server.repl.isReplica) c.server.repl.replica?.sendAck();
      return;
    } else if (opt === 'rdb-only') {
      const v = parseInt64(val);
      if (v === null) return c.reply.error('value is not an integer or out of range');
      if (v < 0n || v > 1n) return c.reply.error('value is out of range, value must between 0 and 1');
      link.rdbOnly = v === 1n;
    } else if (opt === 'rdb-filter-only') {
      const filters = splitArgs(val);
      if (filters === null) return c.reply.error('Missing rdb-filter-only values');
      for (const f of filters) {
        if (!eqi(f, 'functions')) return c.reply.error(`Unsupported rdb-filter-only option: ${f}`);
      }
      // Only "functions" can be kept: the snapshot then carries the libraries and no keys.
      link.filtered = true;
    } else {
      return c.reply.error(`Unrecognized REPLCONF option: ${argv[j]}`);
    }
  }
  c.reply.ok();
}

/** ROLE: ["master", offset, [[ip, port, ack offset]...]], or the replica side's form. */
function role(c: Client): void {
  const server = c.server;
  if (server.repl.isReplica && server.repl.replica !== null) return server.repl.replica.roleReply(c);
  const online = [...(peekPrimary(server)?.replicas ?? [])].filter((r) => linkOf(r).online);
  c.reply.arrayLen(3);
  c.reply.bulk('master');
  c.reply.int(server.repl.offset);
  c.reply.arrayLen(online.length);
  for (const r of online) {
    const l = linkOf(r);
    c.reply.arrayLen(3);
    c.reply.bulk(replicaIp(r));
    c.reply.bulk(String(l.listeningPort));
    c.reply.bulk(String(l.ackOffset));
  }
}

/** WAIT numreplicas timeout: blocks until that many replicas acknowledged the client's writes. */
function wait(c: Client, argv: string[]): void {
  const server = c.server;
  if (server.repl.isReplica) {
    return c.reply.error(
      'WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
    );
  }
  const n = parseInt64(argv[1]!);
  if (n === null) return c.reply.error('value is not an integer or out of range');
  const timeout = parseInt64(argv[2]!);
  if (timeout === null) return c.reply.error('timeout is not an integer or out of range');
  if (timeout < 0n) return c.reply.error('timeout is negative');
  const p = peekPrimary(server);
  const offset = p?.woff(c) ?? 0;
  const acked = p?.countAcks(offset) ?? 0;
  // Inside MULTI (or without a connection to block) the answer is the count right now.
  if (BigInt(acked) >= n || c.has(CLIENT.multi | CLIENT.denyBlocking) || c.control === null) return c.reply.int(acked);
  primaryOf(server).block(c, offset, Number(n), Number(timeout));
}

/**
 * CLIENT UNBLOCK of a client blocked in WAIT: 'timeout' answers the acknowledgements so far,
 * 'error' the UNBLOCKED error. False when the client is not in WAIT.
 */
export function unblockWait(c: Client, how: 'timeout' | 'error'): boolean {
  const p = peekPrimary(c.server);
  if (p === undefined) return false;
  return how === 'error' ? p.endWait(c, 'UNBLOCKED client unblocked via CLIENT UNBLOCK') : p.timeOut(c);
}

export const replicationCommands: CommandImpls = {
  sync,
  psync: sync,
  replconf,
  role,
  wait,
};
