// When a page showing the review queue fetches it again (useDueReviews with followNextDue).
// No imports: the rule is unit-tested outside the browser (test/web/next-due.test.ts).

/** A second after the next review falls due; at least 5 s apart, at most 10 minutes. */
export function untilNextDue(
  nextDueAt: string | null | undefined,
  now = Date.now(),
): number | false {
  if (!nextDueAt) return false;
  const ms = Date.parse(nextDueAt) - now;
  if (Number.isNaN(ms)) return false;
  return Math.min(Math.max(ms + 1_000, 5_000), 10 * 60_000);
}
