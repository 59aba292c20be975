import type { JwtClaims } from '../db/as-user.ts';

export type UserRole = 'patient' | 'practitioner' | 'admin';

export interface AuthUser {
  id: string;
  role: UserRole;
  claims: JwtClaims;
}

/** Hono context variables set by the shared middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    user?: AuthUser;
  };
}
