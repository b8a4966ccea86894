// `redoubt init`: writes a complete hardened deployment into one directory and prints the
// generated passwords once. Refuses to touch a non-empty directory unless --force is given.

import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePassword } from '../../acl/genpass.js';
import { hashPassword } from '../../acl/users.js';
import { confText, type ConfPaths } from './conf.js';
import { parseOwner, type Owner } from './owner.js';
import { issue, makeCa } from './pki.js';
import { DEFAULT_USERS, aclFileText, parseUsers, type UserSpec } from './roles.js';

const HELP = `Usage: redoubt init [options]

Writes a hardened Redoubt deployment: a CA, a server certificate, one client certificate per
user, an ACL file with generated passwords stored hashed, a TLS-only redoubt.conf and a
secrets file (0600). The passwords are printed once.

Options:
  --dir D            target directory (default ./redoubt-secure)
  --hosts h1,h2      names and addresses for the server certificate (default localhost,127.0.0.1,::1)
  --users a,b=role   users to create; a bare name is also its role (default ${DEFAULT_USERS});
                     roles: admin, app, cache, analytics, monitor
  --port N           TLS port (default 6379; the plaintext port is always 0)
  --bind "a b"       listen addresses (default "127.0.0.1 -::1")
  --maxmemory M      memory limit (default 256mb)
  --days N           validity of the server and client certificates (default 825; the CA gets 10 years)
  --owner u[:g]      chown everything to the account the server runs as (when run as root)
  --force            write into a non-empty directory, replacing files of the same names
`;

interface InitOptions {
  dir: string;
  hosts: string[];
  users: UserSpec[];
  port: number;
  bind: string[];
  maxmemory: string;
  days: number;
  owner: Owner | null;
  force: boolean;
}

const VALUE_FLAGS = new Set(['--dir', '--hosts', '--users', '--port', '--bind', '--maxmemory', '--days', '--owner']);

function parseArgs(args: readonly string[]): InitOptions | string {
  const raw = new Map<string, string>();
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--force') force = true;
    else if (VALUE_FLAGS.has(a) && i + 1 < args.length) raw.set(a, args[++i]!);
    else return `unknown or incomplete option '${a}'`;
  }
  const users = parseUsers(raw.get('--users') ?? DEFAULT_USERS);
  if (typeof users === 'string') return users;
  const port = Number(raw.get('--port') ?? '6379');
  if (!Number.isInteger(port) || port < 1 || port > 65535) return 'bad --port';
  const days = Number(raw.get('--days') ?? '825');
  if (!Number.isInteger(days) || days < 1 || days > 3650) return 'bad --days (1..3650)';
  const maxmemory = raw.get('--maxmemory') ?? '256mb';
  if (!/^[0-9]+(b|k|kb|m|mb|g|gb)?$/i.test(maxmemory) || /^0+[a-z]*$/i.test(maxmemory)) return 'bad --maxmemory';
  const hosts = (raw.get('--hosts') ?? 'localhost,127.0.0.1,::1').split(',').filter((h) => h !== '');
  if (hosts.length === 0) return 'no --hosts';
  const bind = (raw.get('--bind') ?? '127.0.0.1 -::1').split(/\s+/).filter((b) => b !== '');
  let owner: Owner | null = null;
  const ownerSpec = raw.get('--owner');
  if (ownerSpec !== undefined) {
    const o = parseOwner(ownerSpec);
    if (typeof o === 'string') return o;
    owner = o;
  }
  const dir = path.resolve(raw.get('--dir') ?? 'redoubt-secure');
  return { dir, hosts, users, port, bind, maxmemory, days, owner, force };
}

function writeSecret(file: string, text: string, mode: number): void {
  // Written 0600 first, then narrowed: a pre-existing file (with --force) is replaced, never
  // left wider than asked for.
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, mode);
}

function paths(dir: string): ConfPaths {
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
    aclFile: path.join(dir, 'users.acl'),
    logFile: path.join(dir, 'redoubt.log'),
    auditLog: path.join(dir, 'audit.log'),
    dataDir: path.join(dir, 'data'),
  };
}

function chownTree(dir: string, owner: Owner): void {
  chownSync(dir, owner.uid, owner.gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, owner);
    else chownSync(p, owner.uid, owner.gid);
  }
}

export interface InitResult {
  paths: ConfPaths;
  passwords: Map<string, string>;
}

export function writeDeployment(o: InitOptions): InitResult {
  const p = paths(o.dir);
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  chmodSync(o.dir, 0o700);
  for (const sub of ['data', 'clients', 'ca']) mkdirSync(path.join(o.dir, sub), { recursive: true, mode: 0o700 });

  const ca = makeCa('Redoubt CA ' + path.basename(o.dir), 3650);
  writeFileSync(p.caCert, ca.pair.certPem, { mode: 0o644 });
  writeSecret(path.join(o.dir, 'ca', 'ca.key'), ca.pair.keyPem, 0o400);
  const server = issue(ca, o.hosts[0]!, 'server', o.days, o.hosts);
  writeFileSync(p.serverCert, server.certPem, { mode: 0o644 });
  writeSecret(p.serverKey, server.keyPem, 0o400);

  const passwords = new Map<string, string>();
  for (const u of o.users) {
    passwords.set(u.name, generatePassword(256));
    const pair = issue(ca, u.name, 'client', o.days);
    writeFileSync(path.join(o.dir, 'clients', `${u.name}.crt`), pair.certPem, { mode: 0o644 });
    writeSecret(path.join(o.dir, 'clients', `${u.name}.key`), pair.keyPem, 0o400);
  }
  writeSecret(
    p.aclFile,
    aclFileText(o.users, (n) => hashPassword(passwords.get(n)!)),
    0o600,
  );
  writeSecret(path.join(o.dir, 'redoubt.conf'), confText(p, o), 0o600);
  const secrets = [...passwords].map(([n, pw]) => `${n} ${pw}`).join('\n') + '\n';
  writeSecret(path.join(o.dir, 'secrets.txt'), secrets, 0o600);
  if (o.owner) chownTree(o.dir, o.owner);
  return { paths: p, passwords };
}

function summary(o: InitOptions, r: InitResult): string {
  const conf = path.join(o.dir, 'redoubt.conf');
  const lines = [
    `Wrote a hardened deployment to ${o.dir}:`,
    `  redoubt.conf      TLS only on port ${o.port}, mutual TLS, ACL file, protected configs`,
    '  ca.crt, ca/ca.key the CA (move ca/ca.key offline once you have issued what you need)',
    '  server.crt/.key   server certificate for ' + o.hosts.join(', '),
    '  clients/*.crt/.key one client certificate per user (CN = user name)',
    '  users.acl         users with hashed passwords; default user off',
    '  secrets.txt       the passwords below (0600)',
    '',
    'Passwords (shown once; also in secrets.txt):',
    ...[...r.passwords].map(([n, pw]) => `  ${n.padEnd(12)} ${pw}`),
    '',
    `Start:   redoubt-server ${conf}`,
    `Connect: redis-cli --tls -p ${o.port} --cacert ${r.paths.caCert} \\`,
    `           --cert ${o.dir}/clients/<user>.crt --key ${o.dir}/clients/<user>.key --user <user> --askpass`,
    `Audit:   redoubt audit --config ${conf}`,
  ];
  return lines.join('\n') + '\n';
}

export function runInit(args: readonly string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const o = parseArgs(args);
  if (typeof o === 'string') {
    process.stderr.write(`redoubt init: ${o}\n${HELP}`);
    return 2;
  }
  if (o.owner && process.getuid?.() !== 0 && process.getuid?.() !== o.owner.uid) {
    process.stderr.write('redoubt init: --owner needs root\n');
    return 2;
  }
  if (existsSync(o.dir) && readdirSync(o.dir).length > 0 && !o.force) {
    process.stderr.write(`redoubt init: ${o.dir} is not empty (use --force to write into it)\n`);
    return 2;
  }
  const r = writeDeployment(o);
  process.stdout.write(summary(o, r));
  return 0;
}
