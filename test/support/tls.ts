// A throwaway PKI for TLS tests, made with the openssl command line in a temp dir: a CA, a
// second unrelated CA, a server certificate for localhost/127.0.0.1, client certificates
// (named CNs, a SAN URI), an expired client certificate, a revoked one with its CRL, and an
// encrypted copy of the server key.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import tls from 'node:tls';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVER_JS } from './server.js';

export interface Pki {
  dir: string;
  /** Absolute path of a file in the PKI dir. */
  file(name: string): string;
  read(name: string): Buffer;
  /** Issues a client (or server) certificate `name`.crt/.key signed by the main CA. */
  issue(name: string, subject: string, opts?: IssueOpts): void;
  /** Revokes `name`.crt and rewrites crl.pem. */
  revoke(name: string): void;
  cleanup(): void;
}

export interface IssueOpts {
  /** subjectAltName value, e.g. "URI:spiffe://x/alice" or "IP:127.0.0.1,DNS:localhost". */
  san?: string;
  /** openssl ca -startdate/-enddate (YYMMDDHHMMSSZ) for expired certificates. */
  start?: string;
  end?: string;
  days?: number;
  ca?: 'ca' | 'ca2';
  /** Use the server's existing key instead of a new one (to re-issue the same pair). */
  key?: string;
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function caConfig(dir: string, name: string): string {
  return [
    '[ ca ]',
    `default_ca = ${name}`,
    `[ ${name} ]`,
    `dir = ${path.join(dir, name + '.db')}`,
    'database = $dir/index.txt',
    'new_certs_dir = $dir',
    'serial = $dir/serial',
    'crlnumber = $dir/crlnumber',
    `certificate = ${path.join(dir, name + '.crt')}`,
    `private_key = ${path.join(dir, name + '.key')}`,
    'default_md = sha256',
    'default_days = 30',
    'default_crl_days = 30',
    'policy = anything',
    'unique_subject = no',
    'copy_extensions = copy',
    '[ anything ]',
    'commonName = supplied',
    'organizationName = optional',
    '',
  ].join('\n');
}

function makeCa(dir: string, name: string, cn: string): void {
  const db = path.join(dir, name + '.db');
  mkdirSync(db);
  writeFileSync(path.join(db, 'index.txt'), '');
  writeFileSync(path.join(db, 'serial'), '1000\n');
  writeFileSync(path.join(db, 'crlnumber'), '1000\n');
  writeFileSync(path.join(dir, name + '.cnf'), caConfig(dir, name));
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '365',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

export function makePki(): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), 'redoubt-pki-'));
  makeCa(dir, 'ca', 'Redoubt Test CA');
  makeCa(dir, 'ca2', 'Unrelated CA');
  const file = (n: string): string => path.join(dir, n);
  const issue = (name: string, subject: string, o: IssueOpts = {}): void => {
    const keyArgs = o.key ? ['-key', o.key] : ['-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`];
    const req = ['req', '-new', ...keyArgs, '-out', `${name}.csr`, '-subj', subject];
    if (o.san) req.push('-addext', `subjectAltName=${o.san}`);
    openssl(dir, req);
    const ca = o.ca ?? 'ca';
    const args = ['ca', '-batch', '-config', `${ca}.cnf`, '-in', `${name}.csr`, '-out', `${name}.crt`, '-notext'];
    if (o.start) args.push('-startdate', o.start);
    if (o.end) args.push('-enddate', o.end);
    else args.push('-days', String(o.days ?? 30));
    openssl(dir, args);
  };
  const gencrl = (): void => openssl(dir, ['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem']);
  issue('server', '/CN=localhost', { san: 'DNS:localhost,IP:127.0.0.1' });
  issue('client', '/CN=client/O=Redoubt Tests');
  issue('other', '/CN=client', { ca: 'ca2' });
  issue('expired', '/CN=expired', { start: '200101000000Z', end: '200201000000Z' });
  issue('revoked', '/CN=revoked');
  openssl(dir, ['rsa', '-in', 'server.key', '-out', 'server-enc.key', '-aes256', '-passout', 'pass:s3cret']);
  gencrl();
  return {
    dir,
    file,
    read: (n) => readFileSync(file(n)),
    issue,
    revoke(name) {
      openssl(dir, ['ca', '-config', 'ca.cnf', '-revoke', `${name}.crt`]);
      gencrl();
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// ---- servers and clients over TLS ------------------------------------------------------------

export interface TlsServerProc {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output contains `needle` (or rejects after ms). */
  waitFor(needle: string | RegExp, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the built Redoubt with argv (a config file path first if wanted); waits until ready. */
export async function spawnRedoubt(argv: string[]): Promise<TlsServerProc> {
  const child = spawn(process.execPath, [SERVER_JS, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer): void => {
    out += d.toString('latin1');
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const waitFor = (needle: string | RegExp, ms = 15000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${String(needle)} after ${ms}ms:\n${out}`)), ms);
      const check = (): void => {
        if (typeof needle === 'string' ? out.includes(needle) : needle.test(out)) {
          clearTimeout(timer);
          resolve();
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`server exited with ${child.exitCode}:\n${out}`));
        } else waiters.push(check);
      };
      child.once('exit', () => waiters.push(check) && check());
      check();
    });
  const proc: TlsServerProc = {
    child,
    output: () => out,
    waitFor,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  await waitFor('Ready to accept');
  return proc;
}

export interface HandshakeResult {
  ok: boolean;
  error?: string;
  protocol?: string | null;
  cipher?: string;
  /** The server certificate's serial number. */
  serial?: string;
  /** The reply to PING, when the connection stayed up. */
  reply?: string;
}

/**
 * Connects with node:tls, sends PING and reports what happened: a server that refuses the
 * client certificate after the handshake shows up as a closed connection without reply.
 */
export function tlsPing(port: number, opts: tls.ConnectionOptions): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: HandshakeResult): void => {
      if (done) return;
      done = true;
      s.destroy();
      resolve(r);
    };
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...opts }, () => {
      const info = {
        protocol: s.getProtocol(),
        cipher: s.getCipher()?.name,
        serial: s.getPeerCertificate()?.serialNumber,
      };
      s.write('PING\r\n');
      s.once('data', (d) => finish({ ok: true, ...info, reply: d.toString('latin1').trim() }));
      s.once('close', () => finish({ ok: false, ...info, error: 'closed without a reply' }));
    });
    s.on('error', (e) => finish({ ok: false, error: e.message }));
    setTimeout(() => finish({ ok: false, error: 'timeout' }), 5000).unref();
  });
}
