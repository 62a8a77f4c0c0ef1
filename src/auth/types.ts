export const ROLES = ['resident', 'monitor', 'official', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STATUSES = ['pending', 'active', 'disabled'] as const;
export type UserStatus = (typeof STATUSES)[number];

/** What a request knows about its signed-in user (loaded from the database on each request). */
export interface SessionUser {
  id: number;
  email: string;
  role: Role;
  status: UserStatus;
  municipality_ubigeo: string | null;
  org_name: string | null;
  has_totp: boolean;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares its types in a global namespace; augmenting it is the only way
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- interface merging with Express.User needs an interface
    interface User extends SessionUser {}
  }
}

declare module 'express-session' {
  interface SessionData {
    passport?: { user?: number };
    createdAt?: number;
    lastSeenAt?: number;
    mfaAt?: number;
  }
}
