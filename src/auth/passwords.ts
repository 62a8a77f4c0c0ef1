import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id (a const enum, which isolatedModules cannot read).
const ARGON2ID = 2;

/** OWASP's argon2id baseline (19 MiB, t=2, p=1); tests use a cheaper cost, still argon2id. */
const COST = {
  normal: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
  test: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
};

/** Unicode-normalised so that the same password typed on two keyboards matches. */
const normalize = (password: string) => password.normalize('NFC');

export function createPasswordHasher(env: 'development' | 'production' | 'test') {
  const cost = env === 'test' ? COST.test : COST.normal;
  let dummy: Promise<string> | null = null;
  const hashPassword = (password: string) => hash(normalize(password), { algorithm: ARGON2ID as never, ...cost });
  return {
    hash: hashPassword,
    async verify(passwordHash: string, password: string): Promise<boolean> {
      try {
        return await verify(passwordHash, normalize(password));
      } catch {
        return false;
      }
    },
    /** Spends the same time as a real check, for accounts that do not exist. */
    async verifyDummy(password: string): Promise<false> {
      dummy ??= hashPassword(crypto.randomBytes(32).toString('hex'));
      await verify(await dummy, normalize(password)).catch(() => false);
      return false;
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
