import type { AuthUser } from '../auth/user.ts';

/** Hono context variables set by the shared middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    user?: AuthUser;
  };
}
