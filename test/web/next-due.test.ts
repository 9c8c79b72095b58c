// When the review queue on the dashboard and the Reviews page is fetched again: a second after
// the next review falls due, never more often than every 5 s, never later than 10 minutes.
import { describe, expect, it } from 'vitest';
import { untilNextDue } from '../../web/src/api/next-due.ts';

const NOW = Date.parse('2026-12-02T06:00:00.000Z');
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();

describe('untilNextDue', () => {
  it('waits until a second after the next review is due', () => {
    expect(untilNextDue(at(60), NOW)).toBe(61_000);
    expect(untilNextDue(at(9 * 60), NOW)).toBe(541_000);
  });

  it('waits at least 5 s, also for a time already past (clocks apart)', () => {
    expect(untilNextDue(at(1), NOW)).toBe(5_000);
    expect(untilNextDue(at(-30), NOW)).toBe(5_000);
  });

  it('looks again after 10 minutes at the latest', () => {
    expect(untilNextDue(at(3 * 86_400), NOW)).toBe(600_000);
  });

  it('does not poll when nothing is scheduled', () => {
    expect(untilNextDue(null, NOW)).toBe(false);
    expect(untilNextDue(undefined, NOW)).toBe(false);
    expect(untilNextDue('not a date', NOW)).toBe(false);
  });
});
