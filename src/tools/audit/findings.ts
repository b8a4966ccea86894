// The findings model: what one check reports, the severity scale and its ordering.

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  /** Stable identifier (NET-BIND, ACL-DANGEROUS, ...): what CI rules and suppressions key on. */
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  /** What was observed, never a password. */
  readonly seen: string;
  readonly why: string;
  readonly fix: string;
  /** The checklist item in the seed documents this finding stands for. */
  readonly ref: string;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

export function atLeast(f: Finding, min: Severity): boolean {
  return severityRank(f.severity) >= severityRank(min);
}

/** Most severe first, then by id, so reports and JSON are stable. */
export function sortFindings(list: readonly Finding[]): Finding[] {
  return [...list].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.id < b.id ? -1 : 1));
}

export function countBySeverity(list: readonly Finding[]): Record<Severity, number> {
  const out = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  for (const f of list) out[f.severity]++;
  return out;
}

/** Checklist references, named once so every check cites an item the same way. */
export const REF = {
  bind: 'Security Checklist: bind is set to specific IPs (001); Standalone #1 trusted network (002)',
  protectedMode: 'Security Checklist: protected-mode yes (001); Standalone #2 (002)',
  defaultUser: 'Security Checklist: default user disabled (001); Account Management #3 (002)',
  authEnabled: 'Account Management #1 AUTH or ACLs enabled (002)',
  dangerous: 'Security Checklist: @dangerous blocked for non-admin accounts (001); Account Management #4 (002)',
  leastPrivilege: 'Security Checklist: minimal command sets (001); Account Management #8 (002)',
  passwordStrength: 'Security Checklist: password at least 32 random characters (001); Account Management #2 (002)',
  passwordHashed: 'Account Management #6 passwords stored hashed (002)',
  aclFile: 'Account Management #5 external ACL file (002)',
  requirepass: 'Account Management #7 requirepass only for backwards compatibility (002)',
  renamed:
    'Security Checklist: FLUSHALL, FLUSHDB, CONFIG, DEBUG, SHUTDOWN renamed or disabled (001); Account Management #9 (002)',
  tlsOn: 'Security Checklist: TLS is enabled (001); Standalone #12 (002)',
  plaintextPort: 'Transport layer Security #1 non-TLS ports disabled (002)',
  ciphers: 'Transport layer Security #2 strong cipher suites (002)',
  protocols: 'Transport layer Security #3 modern TLS protocols (002)',
  clientAuth: 'Transport layer Security #4 client authentication (002)',
  preferServer: 'Transport layer Security #5 server ciphers preferred (002)',
  tlsReplication: 'Transport layer Security #6 TLS for replication (002)',
  keyPerms: 'Transport layer Security #7 key files 400 permissions (002)',
  keyOwner: 'Transport layer Security #8 key files owned by the Redis user (002)',
  tlsCluster: 'Transport layer Security, Cluster Mode #1 TLS on the cluster bus (002)',
  certExpiry: 'Regular Security Audits: audit TLS certificates for expiration (000)',
  configPerms: 'Standalone #6 and #8 configuration not accessible by others (002)',
  logPerms: 'Standalone #6 logs not readable by others (002)',
  root: 'Security Checklist: runs as a dedicated non-root user (001); Standalone #4 (002)',
  maxmemory: 'Security Checklist: maxmemory is set (001)',
  logFile: 'Standalone #3 log file configured (002)',
  aclLog: 'Security Checklist: ACL LOG enabled and monitored (001)',
  masterauth: 'Password Management: MasterAUTH for replica to master (002)',
  masteruser: 'Account Management, Cluster Mode #1 masteruser (002)',
  clusterNodes: 'Standalone and Cluster, Cluster Mode Only #1 odd number of at least 3 nodes (002)',
  version: 'Standalone #9 latest Redis server version (002)',
  port: 'Standalone #13 consider changing the default port (002)',
  protectedConfigs: 'Security Checklist: CONFIG and DEBUG disabled from the network (001)',
  review: 'Account Management: review ACL LIST, redis.conf and the ACL file (002)',
} as const;
