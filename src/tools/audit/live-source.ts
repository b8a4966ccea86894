// The live source: connects (TCP or TLS, optionally with a client certificate), authenticates,
// and reads CONFIG GET *, ACL LIST, ACL LOG, INFO and COMMAND LIST. A command the server
// refuses (renamed away, or not permitted to the auditing user) becomes an info note and the
// checks that need it are skipped. When the server is on this host, its process owner and the
// files it names are examined as well.

import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import net from 'node:net';
import { RespConnection, RespError, type RespValue } from './resp.js';
import { collectFiles, readAclFile, resolvePath } from './local-files.js';
import { emptySnapshot, type AclLogEntry, type Snapshot } from './snapshot.js';
import { userRules } from './local-files.js';
import { SourceError } from './config-source.js';

export interface LiveOptions {
  host: string;
  port: number;
  tls: boolean;
  user: string | null;
  password: string | null;
  cacert: string | null;
  cert: string | null;
  key: string | null;
  sni: string | null;
  insecure: boolean;
  timeoutMs: number;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

function readPem(file: string | null, what: string): Buffer | undefined {
  if (file === null) return undefined;
  try {
    return readFileSync(file);
  } catch (e) {
    throw new SourceError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

function tlsOptions(o: LiveOptions): tls.ConnectionOptions {
  const servername = o.sni ?? (net.isIP(o.host) === 0 ? o.host : undefined);
  return {
    ca: readPem(o.cacert, 'CA certificate'),
    cert: readPem(o.cert, 'client certificate'),
    key: readPem(o.key, 'client key'),
    servername,
    rejectUnauthorized: !o.insecure,
  };
}

function note(s: Snapshot, id: string, seen: string, why: string): void {
  s.notes.push({
    id,
    severity: 'info',
    title: 'Part of the live state could not be read',
    seen,
    why,
    fix: 'Audit with an admin user (or give --config as well) to evaluate these checks.',
    ref: 'Account Management: review ACL LIST, redis.conf and the ACL file (002)',
  });
}

function isUnknownCommand(v: RespValue): boolean {
  return v instanceof RespError && /unknown command/i.test(v.message);
}

/** "key:value" lines of INFO, every section. */
export function parseInfo(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

export function parseAclLog(v: RespValue): AclLogEntry[] {
  if (!Array.isArray(v)) return [];
  return v.filter(Array.isArray).map((entry) => {
    const f = new Map<string, RespValue>();
    for (let i = 0; i + 1 < entry.length; i += 2) f.set(String(entry[i]), entry[i + 1]!);
    return {
      reason: String(f.get('reason') ?? ''),
      username: String(f.get('username') ?? ''),
      count: Number(f.get('count') ?? 1),
      ageSeconds: Number(f.get('age-seconds') ?? 0),
      clientInfo: String(f.get('client-info') ?? ''),
    };
  });
}

/** The effective uid of a local process from /proc, or null. */
function processUid(pid: string | undefined): number | null {
  if (pid === undefined || !/^\d+$/.test(pid)) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    return m === null ? null : Number(m[2]);
  } catch {
    return null;
  }
}

async function authenticate(c: RespConnection, o: LiveOptions): Promise<void> {
  if (o.password === null) return;
  const args = o.user !== null ? ['AUTH', o.user, o.password] : ['AUTH', o.password];
  const r = await c.call(...args);
  // The server's message names no password; ours never does either.
  if (r instanceof RespError) throw new SourceError(`authentication failed: ${r.message}`);
}

export async function readLiveSource(o: LiveOptions): Promise<{ snapshot: Snapshot; peer: string }> {
  let c: RespConnection;
  try {
    c = await RespConnection.connect({
      host: o.host,
      port: o.port,
      tls: o.tls ? tlsOptions(o) : null,
      timeoutMs: o.timeoutMs,
    });
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError(`cannot connect to ${o.host}:${o.port}: ${(e as Error).message}`);
  }
  try {
    return { snapshot: await gather(c, o), peer: `${o.host}:${o.port}` };
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError(`${o.host}:${o.port}: ${(e as Error).message}`);
  } finally {
    c.close();
  }
}

async function gather(c: RespConnection, o: LiveOptions): Promise<Snapshot> {
  const s = emptySnapshot();
  if (c.socket instanceof tls.TLSSocket) {
    const peer = c.socket.getPeerCertificate();
    if (peer.valid_to !== undefined) {
      s.certs.push({
        source: 'peer certificate',
        subject: String(peer.subject?.CN ?? ''),
        notAfter: new Date(peer.valid_to),
      });
    }
  }
  await authenticate(c, o);
  const info = await c.call('INFO', 'everything');
  if (typeof info === 'string') s.info = parseInfo(info);
  else if (info instanceof RespError && /NOAUTH/.test(info.message)) {
    throw new SourceError('the server requires authentication: give --user/--pass (or REDOUBT_AUDIT_PASSWORD)');
  } else
    note(
      s,
      'SRC-INFO-UNAVAILABLE',
      `INFO: ${errorText(info)}`,
      'Process, replication and version checks were skipped.',
    );
  if (s.info?.get('cluster_enabled') === '1') {
    const ci = await c.call('CLUSTER', 'INFO');
    if (typeof ci === 'string') for (const [k, v] of parseInfo(ci)) s.info.set(k, v);
  }
  await readConfig(c, s);
  await readUsers(c, s);
  const cmds = await c.call('COMMAND', 'LIST');
  if (Array.isArray(cmds)) s.commandList = new Set(cmds.map((x) => String(x).toLowerCase()));
  else
    note(s, 'SRC-COMMAND-UNAVAILABLE', `COMMAND LIST: ${errorText(cmds)}`, 'Removed commands could not be detected.');
  if (isLoopback(o.host)) readLocal(s);
  return s;
}

function errorText(v: RespValue): string {
  return v instanceof RespError ? v.message : 'unexpected reply';
}

async function readConfig(c: RespConnection, s: Snapshot): Promise<void> {
  const r = await c.call('CONFIG', 'GET', '*');
  if (Array.isArray(r)) {
    s.config = new Map();
    for (let i = 0; i + 1 < r.length; i += 2) s.config.set(String(r[i]).toLowerCase(), String(r[i + 1]));
    return;
  }
  if (isUnknownCommand(r)) s.unknownCommands.add('config');
  // What INFO also tells: the memory limit (other parameters stay unknown, not assumed).
  const maxmemory = s.info?.get('maxmemory');
  if (maxmemory !== undefined) s.config = new Map([['maxmemory', maxmemory]]);
  note(
    s,
    'SRC-CONFIG-UNAVAILABLE',
    `CONFIG GET *: ${errorText(r)}`,
    'Configuration checks need CONFIG GET (or --config FILE); they were skipped for the live server.',
  );
}

async function readUsers(c: RespConnection, s: Snapshot): Promise<void> {
  const list = await c.call('ACL', 'LIST');
  if (Array.isArray(list)) {
    s.users = list.map((line) => {
      const argv = String(line).split(' ');
      return userRules(argv[1] ?? '', argv.slice(2), 'live');
    });
  } else
    note(s, 'SRC-ACL-UNAVAILABLE', `ACL LIST: ${errorText(list)}`, 'User checks were skipped for the live server.');
  const log = await c.call('ACL', 'LOG');
  if (Array.isArray(log)) s.aclLog = parseAclLog(log);
  else
    note(
      s,
      'SRC-ACLLOG-UNAVAILABLE',
      `ACL LOG: ${errorText(log)}`,
      'Recent authentication failures could not be reviewed.',
    );
}

/** Same host: the process owner, the files and certificates, clear text in the ACL file. */
function readLocal(s: Snapshot): void {
  s.processUid = processUid(s.info?.get('process_id'));
  if (s.config === null) return;
  collectFiles(s, s.config);
  const aclfile = s.config.get('aclfile');
  if (aclfile === undefined || aclfile === '' || s.users === null) return;
  const fromFile = readAclFile(resolvePath(aclfile, s.config.get('dir')));
  if (fromFile === null) return;
  s.users = s.users.map((u) => {
    const f = fromFile.find((x) => x.name === u.name);
    return f === undefined || f.plaintext.length === 0 ? u : { ...u, plaintext: f.plaintext };
  });
}
