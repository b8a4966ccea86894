// The redoubt.conf of a hardened deployment: TLS only with mutual authentication, TLS 1.2+ with
// AEAD ciphers, users from an ACL file, protected configs, dangerous commands removed, a log
// file, an audit log and a memory limit. Every directive carries the reason it is there.

export interface ConfPaths {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  aclFile: string;
  logFile: string;
  auditLog: string;
  dataDir: string;
}

export interface ConfOptions {
  port: number;
  bind: readonly string[];
  maxmemory: string;
}

export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

export const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

/** Commands no role needs in a production deployment; the admin can re-enable them by hand. */
export const REMOVED_COMMANDS = ['FLUSHALL', 'FLUSHDB', 'DEBUG'];

/** A config-file argument: bare when it is plain, else double-quoted with \\ and \" escaped. */
export function confArg(v: string): string {
  if (/^[A-Za-z0-9_./:@+,-]+$/.test(v)) return v;
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

export function confText(p: ConfPaths, o: ConfOptions): string {
  const q = confArg;
  return `# Redoubt configuration written by 'redoubt init' on ${new Date().toISOString()}.
# Start with: redoubt-server ${q(p.dir + '/redoubt.conf')}
# Check with: redoubt audit --config ${q(p.dir + '/redoubt.conf')}

# Network: listen on the given addresses only; protected mode stays on as a second line.
bind ${o.bind.map(q).join(' ')}
protected-mode yes

# Transport: no plaintext port at all; TLS with client certificates from our own CA.
port 0
tls-port ${o.port}
tls-cert-file ${q(p.serverCert)}
tls-key-file ${q(p.serverKey)}
tls-ca-cert-file ${q(p.caCert)}
tls-auth-clients yes
tls-protocols "TLSv1.2 TLSv1.3"
tls-ciphers ${TLS12_CIPHERS}
tls-ciphersuites ${TLS13_SUITES}
tls-prefer-server-ciphers yes
tls-replication yes
tls-cluster yes

# Accounts: every user lives in the ACL file with a hashed password; the default user is off.
aclfile ${q(p.aclFile)}

# Dangerous controls: protected configs (dir, dbfilename, logfile, ...) cannot be changed at
# run time, DEBUG and MODULE are refused, and the data-wiping commands are removed.
enable-protected-configs no
enable-debug-command no
enable-module-command no
${REMOVED_COMMANDS.map((c) => `rename-command ${c} ""`).join('\n')}

# Logs: the server log and the security audit log (JSON lines).
logfile ${q(p.logFile)}
loglevel notice
audit-log ${q(p.auditLog)}
audit-events all

# Resources: a memory limit so that a runaway client cannot exhaust the host.
dir ${q(p.dataDir)}
maxmemory ${o.maxmemory}
maxmemory-policy noeviction
`;
}
