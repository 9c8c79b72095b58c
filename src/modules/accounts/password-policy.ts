// What makes a password acceptable. Lengths follow NIST SP 800-63B: a minimum length, a check
// against commonly used passwords, and no composition rules.
import { createRequire } from 'node:module';
import type * as ZxcvbnCommon from '@zxcvbn-ts/language-common';

// The list (with the rest of the package's dictionaries, ~17 MB in memory) is loaded on the first
// password check rather than at start-up; checks are synchronous, hence require().
const require = createRequire(import.meta.url);

export const PASSWORD_MAX_LENGTH = 256;

let commonPasswords: Set<string> | undefined;

function isCommonPassword(password: string): boolean {
  if (!commonPasswords) {
    const { dictionary } = require('@zxcvbn-ts/language-common') as typeof ZxcvbnCommon;
    commonPasswords = new Set(
      (dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()),
    );
  }
  return commonPasswords.has(password.toLowerCase());
}

export interface PasswordContext {
  minLength: number;
  email?: string | undefined;
  name?: string | undefined;
}

/** Returns the reason the password is refused, or null when it is acceptable. */
export function checkPassword(password: string, ctx: PasswordContext): string | null {
  if (password.length < ctx.minLength) {
    return `Password must be at least ${ctx.minLength} characters long.`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `Password must be at most ${PASSWORD_MAX_LENGTH} characters long.`;
  }
  if (/^(.)\1*$/u.test(password)) {
    return 'Password must not be one character repeated.';
  }
  if (isCommonPassword(password)) {
    return 'This password is too common; choose one that is harder to guess.';
  }
  const lowered = password.toLowerCase();
  const email = ctx.email?.toLowerCase();
  if (email && (lowered === email || lowered === email.split('@')[0])) {
    return 'Password must not be your email address.';
  }
  if (ctx.name && lowered === ctx.name.toLowerCase()) {
    return 'Password must not be your name.';
  }
  return null;
}
