// `redoubt audit`: argument parsing, gathering the sources, running the checks, output and the
// exit status (0 below --fail-on, 1 at or above it, 2 for usage and connection errors).

import { atLeast, isSeverity, type Severity } from './findings.js';
import { readConfigSource, SourceError } from './config-source.js';
import { readLiveSource, type LiveOptions } from './live-source.js';
import { mergeSnapshots, type Snapshot } from './snapshot.js';
import { runChecks } from './checks/index.js';
import { renderHuman, renderJson, type Target } from './report.js';

const HELP = `Usage: redoubt audit [--config FILE] [--url redis[s]://[user[:pass]@]host:port] [options]

Audits a Redis-protocol deployment against the security checklists: the config file, the live
server (CONFIG GET, ACL LIST, ACL LOG, INFO, COMMAND LIST), or both (live values win; file
permissions, renames and clear-text passwords come from the file).

Options:
  --config FILE       redis.conf / redoubt.conf to audit (includes are followed)
  --url URL           live server; rediss:// for TLS
  --user NAME         user to authenticate as (overrides the URL's)
  --pass PASSWORD     password (or env REDOUBT_AUDIT_PASSWORD; overrides the URL's)
  --cacert F --cert F --key F   TLS: CA to verify the server, client certificate and key
  --sni NAME          TLS server name (default: the URL's host name)
  --insecure          do not verify the server certificate
  --cert-days N       report certificates expiring within N days (default 30)
  --fail-on SEVERITY  exit 1 when a finding is at or above info|low|medium|high|critical (default high)
  --json              machine-readable output
  --no-color          no ANSI colours (they are only used on a terminal anyway)
  --timeout MS        network timeout (default 5000)
`;

interface Args {
  config: string | null;
  url: string | null;
  user: string | null;
  pass: string | null;
  cacert: string | null;
  cert: string | null;
  key: string | null;
  sni: string | null;
  insecure: boolean;
  certDays: number;
  failOn: Severity;
  json: boolean;
  color: boolean;
  timeoutMs: number;
  help: boolean;
}

class UsageError extends Error {}

const VALUED = [
  '--config',
  '--url',
  '--user',
  '--pass',
  '--cacert',
  '--cert',
  '--key',
  '--sni',
  '--cert-days',
  '--fail-on',
  '--timeout',
];

export function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    config: null,
    url: null,
    user: null,
    pass: null,
    cacert: null,
    cert: null,
    key: null,
    sni: null,
    insecure: false,
    certDays: 30,
    failOn: 'high',
    json: false,
    color: true,
    timeoutMs: 5000,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    let opt = argv[i]!;
    let val: string | undefined;
    const eq = opt.indexOf('=');
    if (opt.startsWith('--') && eq > 0) {
      val = opt.slice(eq + 1);
      opt = opt.slice(0, eq);
    }
    if (VALUED.includes(opt) && val === undefined) {
      val = argv[++i];
      if (val === undefined) throw new UsageError(`${opt} needs a value`);
    }
    switch (opt) {
      case '--config':
        a.config = val!;
        break;
      case '--url':
        a.url = val!;
        break;
      case '--user':
        a.user = val!;
        break;
      case '--pass':
        a.pass = val!;
        break;
      case '--cacert':
        a.cacert = val!;
        break;
      case '--cert':
        a.cert = val!;
        break;
      case '--key':
        a.key = val!;
        break;
      case '--sni':
        a.sni = val!;
        break;
      case '--insecure':
        a.insecure = true;
        break;
      case '--cert-days':
        if (!/^\d+$/.test(val!)) throw new UsageError('--cert-days needs a number of days');
        a.certDays = Number(val);
        break;
      case '--timeout':
        if (!/^\d+$/.test(val!) || Number(val) === 0) throw new UsageError('--timeout needs milliseconds');
        a.timeoutMs = Number(val);
        break;
      case '--fail-on': {
        const s = val!.toLowerCase();
        if (!isSeverity(s)) throw new UsageError('--fail-on must be one of info, low, medium, high, critical');
        a.failOn = s;
        break;
      }
      case '--json':
        a.json = true;
        break;
      case '--no-color':
      case '--no-colour':
        a.color = false;
        break;
      case '--help':
      case '-h':
        a.help = true;
        break;
      default:
        throw new UsageError(`unknown option '${opt}'`);
    }
  }
  if (!a.help && a.config === null && a.url === null) throw new UsageError('give --config FILE, --url URL, or both');
  return a;
}

export interface ParsedUrl {
  tls: boolean;
  host: string;
  port: number;
  user: string | null;
  pass: string | null;
}

export function parseUrl(url: string): ParsedUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError('--url is not a valid URL (redis://host:port or rediss://host:port)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new UsageError('--url must start with redis:// or rediss://');
  const port = u.port === '' ? 6379 : Number(u.port);
  return {
    tls: u.protocol === 'rediss:',
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port,
    user: u.username === '' ? null : decodeURIComponent(u.username),
    pass: u.password === '' ? null : decodeURIComponent(u.password),
  };
}

/** The URL as shown in reports: never with its password. */
function shownUrl(p: ParsedUrl, user: string | null): string {
  const host = p.host.includes(':') ? `[${p.host}]` : p.host;
  return `${p.tls ? 'rediss' : 'redis'}://${user !== null ? `${encodeURIComponent(user)}@` : ''}${host}:${p.port}`;
}

async function gather(a: Args): Promise<{ snapshot: Snapshot; target: Target }> {
  const target: Target = { config: a.config, url: null };
  const file = a.config !== null ? readConfigSource(a.config) : null;
  if (a.url === null) return { snapshot: file!, target };
  const p = parseUrl(a.url);
  const user = a.user ?? p.user;
  let pass = a.pass ?? process.env['REDOUBT_AUDIT_PASSWORD'] ?? p.pass;
  if (pass === '') pass = null;
  target.url = shownUrl(p, user);
  const opts: LiveOptions = {
    host: p.host,
    port: p.port,
    tls: p.tls,
    user,
    password: pass,
    cacert: a.cacert,
    cert: a.cert,
    key: a.key,
    sni: a.sni,
    insecure: a.insecure,
    timeoutMs: a.timeoutMs,
  };
  const { snapshot: live } = await readLiveSource(opts);
  return { snapshot: file === null ? live : mergeSnapshots(file, live), target };
}

/** Scrubs known secrets from a message (errors may echo parts of the command line). */
function scrub(msg: string, secrets: readonly (string | null)[]): string {
  let out = msg;
  for (const s of secrets) if (s !== null && s.length > 0) out = out.split(s).join('***');
  return out.split('\n')[0]!;
}

export async function runAudit(argv: readonly string[]): Promise<number> {
  let a: Args;
  try {
    a = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`redoubt audit: ${(e as Error).message}\nRun 'redoubt audit --help' for the options.\n`);
    return 2;
  }
  if (a.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const secrets = [a.pass, process.env['REDOUBT_AUDIT_PASSWORD'] ?? null];
  try {
    if (a.url !== null) secrets.push(parseUrl(a.url).pass);
    const { snapshot, target } = await gather(a);
    const findings = runChecks(snapshot, { certDays: a.certDays, now: new Date() });
    const colour = a.color && process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
    process.stdout.write(a.json ? renderJson(target, findings) : renderHuman(target, findings, colour));
    return findings.some((f) => atLeast(f, a.failOn)) ? 1 : 0;
  } catch (e) {
    const known = e instanceof SourceError || e instanceof UsageError;
    const msg = known ? (e as Error).message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    process.stderr.write(`redoubt audit: ${scrub(msg, secrets)}\n`);
    return 2;
  }
}
