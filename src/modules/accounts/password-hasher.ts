// Password hashing port: argon2id (RFC 9106) via @node-rs/argon2, off the event loop.
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// Algorithm.Argon2id; the package exports a const enum, which verbatimModuleSyntax cannot inline.
const ARGON2ID = 2 as Algorithm;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

/** OWASP's recommended argon2id settings: 19 MiB memory, 2 iterations, 1 lane. */
const ARGON2_OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export class Argon2PasswordHasher implements PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      // A malformed stored hash is a failed login, never a crash.
      return false;
    }
  }
}
