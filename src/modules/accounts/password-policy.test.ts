import { describe, expect, it } from 'vitest';
import { checkPassword, PASSWORD_MAX_LENGTH } from './password-policy.ts';

const ctx = { minLength: 10, email: 'maya.jones@example.com', name: 'Maya Jones' };

describe('checkPassword', () => {
  it('accepts a long, uncommon passphrase', () => {
    expect(checkPassword('tulips in the orchard 42', ctx)).toBeNull();
  });

  it('refuses short, long, repeated, common and personal passwords with a reason', () => {
    expect(checkPassword('abc12', ctx)).toMatch(/at least 10 characters/);
    expect(checkPassword('x'.repeat(PASSWORD_MAX_LENGTH + 1), ctx)).toMatch(/at most 256/);
    expect(checkPassword('zzzzzzzzzzzz', ctx)).toMatch(/repeated/);
    expect(checkPassword('1234567890', ctx)).toMatch(/too common/);
    expect(checkPassword('Password123', ctx)).toMatch(/too common/);
    expect(checkPassword('qwertyuiop', ctx)).toMatch(/too common/);
    expect(checkPassword('MAYA.JONES@example.com', ctx)).toMatch(/email/);
    expect(checkPassword('maya jones', { ...ctx, minLength: 8 })).toMatch(/name/);
  });

  it('honours a configured minimum length', () => {
    expect(checkPassword('tulips in the orchard', { minLength: 24 })).toMatch(/at least 24/);
  });
});
