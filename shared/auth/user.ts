/** The roles of `public.user_role`, in the database's order. */
export const USER_ROLES = ['patient', 'practitioner', 'admin'] as const;

export type UserRole = (typeof USER_ROLES)[number];

/** The verified claims of a Supabase access token, handed to the database as `request.jwt.claims`. */
export interface JwtClaims {
  sub: string;
  role?: string;
  [claim: string]: unknown;
}

/** The signed-in caller: the role comes from `profiles`, never from the token. */
export interface AuthUser {
  id: string;
  role: UserRole;
  claims: JwtClaims;
}
