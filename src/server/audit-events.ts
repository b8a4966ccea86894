// The audit event classes and the validation of the audit-* configs. No imports: the config
// registry (src/config/entries.ts) reads these while the rest of the audit log reads the
// registry.

export const AUDIT_CLASSES = [
  'connection',
  'auth',
  'denied',
  'acl',
  'config',
  'protected',
  'tls',
  'dangerous',
] as const;
export type AuditClass = (typeof AUDIT_CLASSES)[number];
export const ALL_CLASSES = (1 << AUDIT_CLASSES.length) - 1;

export function classBit(cls: AuditClass): number {
  return 1 << AUDIT_CLASSES.indexOf(cls);
}

/** audit-events: classes separated by spaces or commas, `all`, or `none`. A mask, or null. */
export function parseAuditEvents(v: string): number | null {
  let mask = 0;
  for (const w of v.toLowerCase().split(/[\s,]+/)) {
    if (w === '' || w === 'none') continue;
    if (w === 'all') mask = ALL_CLASSES;
    else if ((AUDIT_CLASSES as readonly string[]).includes(w)) mask |= classBit(w as AuditClass);
    else return null;
  }
  return mask;
}

/** The validate function of audit-events. */
export function validateAuditEvents(v: string): string | null {
  return parseAuditEvents(v) === null
    ? `audit-events takes 'all', 'none' or classes among: ${AUDIT_CLASSES.join(' ')}`
    : null;
}

/** The validate function of audit-log: empty (off), stdout, syslog or a file path. */
export function validateAuditLog(v: string): string | null {
  return v.includes('\0') ? 'audit-log cannot contain a NUL byte' : null;
}

/** Splits "host:port" / "[v6]:port"; null when malformed. */
export function parseHostPort(s: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(s);
  if (m === null) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? m[2]!, port };
}

/** The validate function of audit-syslog-target. */
export function validateHostPort(v: string): string | null {
  return parseHostPort(v) === null ? 'audit-syslog-target must be host:port or [ipv6]:port' : null;
}
