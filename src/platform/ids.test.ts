import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hashToken, newId, newToken } from './ids.ts';

describe('newId', () => {
  it('makes RFC 9562 version 7 UUIDs that the API schemas accept', () => {
    const id = newId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('starts with the creation time in milliseconds, so ids sort by creation', () => {
    const at = Date.UTC(2026, 11, 2, 9, 30, 0, 123);
    const id = newId(at);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    const ids = [newId(at), newId(at + 1), newId(at + 1000), newId(at + 86_400_000)];
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs in its random bits even within one millisecond', () => {
    const at = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newId(at)));
    expect(ids.size).toBe(10_000);
  });
});

describe('tokens', () => {
  it('are 256-bit url-safe secrets stored as their SHA-256', () => {
    const token = newToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(token).not.toEqual(newToken());
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});
