import type { Role, TokenAction } from './permissions.js';

export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}

export type Principal =
  | { kind: 'session'; user: AuthUser; sessionId: string; csrfToken: string }
  | {
      kind: 'token';
      user: AuthUser;
      token: { id: string; name: string; projectIds: string[]; actions: TokenAction[] };
    };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
