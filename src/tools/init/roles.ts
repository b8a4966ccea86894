// Least-privilege ACL users for `redoubt init`, one role each, modelled on the account roles of
// the hardening guides: an application limited to its key prefix and without @dangerous, a
// read-only cache reader, an analytics reader, a monitor that sees INFO/SLOWLOG/CLIENT/MEMORY
// and nothing else, and one administrator. The default user is switched off.

export const ROLES = ['admin', 'app', 'cache', 'analytics', 'monitor'] as const;
export type Role = (typeof ROLES)[number];

export interface UserSpec {
  name: string;
  role: Role;
}

export const DEFAULT_USERS = 'app,cache,analytics,monitor,admin';

/** Parses "app,cache,orders=app" into specs; a bare name must be a role name. */
export function parseUsers(list: string): UserSpec[] | string {
  const out: UserSpec[] = [];
  for (const item of list.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const [name, role = name] = entry.split('=', 2) as [string, string?];
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return `invalid user name '${name}'`;
    if (name === 'default') return "the 'default' user is always written switched off";
    if (!(ROLES as readonly string[]).includes(role)) {
      return `unknown role '${role}' for user '${name}' (roles: ${ROLES.join(', ')}; use name=role)`;
    }
    if (out.some((u) => u.name === name)) return `user '${name}' given twice`;
    out.push({ name, role: role as Role });
  }
  if (out.length === 0) return 'no users given';
  return out;
}

/** The ACL rules of a role, without the user name, on/off and password. */
export function roleRules(spec: UserSpec): string {
  const prefix = `${spec.name}:*`;
  switch (spec.role) {
    case 'admin':
      return '~* &* +@all';
    case 'app':
      return `~${prefix} &${prefix} +@all -@dangerous`;
    case 'cache':
      return `%R~${prefix} resetchannels -@all +@read +@connection -@dangerous`;
    case 'analytics':
      return '%R~* resetchannels -@all +@read +@connection -@write -@admin -@dangerous';
    case 'monitor':
      return (
        'resetkeys resetchannels -@all +ping +info +slowlog|get +slowlog|len ' +
        '+client|list +client|info +memory|stats +memory|doctor'
      );
  }
}

export const DEFAULT_USER_LINE = 'user default off resetpass resetkeys resetchannels -@all';

/** The ACL file: the default user off, then one line per user with its password hash. */
export function aclFileText(users: readonly UserSpec[], hashOf: (name: string) => string): string {
  const lines = [DEFAULT_USER_LINE];
  for (const u of users) lines.push(`user ${u.name} on #${hashOf(u.name)} ${roleRules(u)}`);
  return lines.join('\n') + '\n';
}
