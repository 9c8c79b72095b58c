// The web app's relative times (web/src/components/format.ts), as the review queue, the dashboard
// and practice feedback show them: a time still to come never reads as "just now".
import { describe, expect, it } from 'vitest';
import { formatRelative } from '../../web/src/components/format.ts';

const NOW = new Date('2025-06-02T12:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();

describe('formatRelative', () => {
  it('says "in 1 minute" for anything less than 90 s ahead, never "just now"', () => {
    for (const seconds of [1, 15, 44, 45, 60, 89]) {
      expect(formatRelative(at(seconds), NOW), `${seconds} s ahead`).toBe('in 1 minute');
    }
    expect(formatRelative(at(90), NOW)).toBe('in 2 minutes');
  });

  it('says "just now" for the present and the last 45 s, then minutes, hours and days ago', () => {
    expect(formatRelative(at(0), NOW)).toBe('just now');
    expect(formatRelative(at(-44), NOW)).toBe('just now');
    expect(formatRelative(at(-60), NOW)).toBe('1 minute ago');
    expect(formatRelative(at(-3 * 3600), NOW)).toBe('3 hours ago');
    expect(formatRelative(at(-86_400), NOW)).toBe('yesterday');
    expect(formatRelative(at(-3 * 86_400), NOW)).toBe('3 days ago');
    expect(formatRelative(at(10 * 60), NOW)).toBe('in 10 minutes');
  });

  it('shows a dash for no time and an unreadable one as it came', () => {
    expect(formatRelative(null, NOW)).toBe('—');
    expect(formatRelative('not a date', NOW)).toBe('not a date');
  });
});
