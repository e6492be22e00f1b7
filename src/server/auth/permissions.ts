export const ROLES = ['admin', 'engineer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Which roles may take each action. Every route names one of these actions or is public. */
export const PERMISSIONS = {
  'projects:read': ['admin', 'engineer', 'viewer'],
  'findings:read': ['admin', 'engineer', 'viewer'],
  'audits:write': ['admin', 'engineer'],
  'scans:write': ['admin', 'engineer'],
  'acceptances:write': ['admin', 'engineer'],
  'tokens:manage': ['admin', 'engineer'],
  'projects:create': ['admin'],
  'projects:configure': ['admin'],
  'users:manage': ['admin'],
  'events:read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Actions an API token may carry; tokens never manage users, tokens or projects. */
export const TOKEN_ACTIONS = [
  'projects:read',
  'findings:read',
  'audits:write',
  'scans:write',
] as const;
export type TokenAction = (typeof TOKEN_ACTIONS)[number];

export function roleAllows(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function isTokenAction(permission: Permission): permission is TokenAction {
  return (TOKEN_ACTIONS as readonly string[]).includes(permission);
}

/** How a route is protected; declared in each route's `config.access`. */
export type Access =
  | { public: true }
  | { authenticated: true; sessionOnly?: boolean }
  | { permission: Permission; project?: boolean; sessionOnly?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}
