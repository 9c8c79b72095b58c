// Number formats of the AI usage page: tokens, dollars, milliseconds and days.
const integer = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
const dayLabel = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

export function formatTokens(value: number): string {
  return integer.format(value);
}

/** "12.3K" for stat cards and axes. */
export function formatCompact(value: number): string {
  return compact.format(value);
}

/** Dollars with cents, or four significant digits for the fractions of a cent small calls cost. */
export function formatUsd(value: number): string {
  if (value === 0) return '$0.00';
  if (Math.abs(value) >= 0.01) {
    return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
  return `$${value.toPrecision(2)}`;
}

export function formatPercent(ratio: number): string {
  return percent.format(ratio);
}

export function formatLatency(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "Mar 8" for a YYYY-MM-DD day (UTC, as the server groups them). */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : dayLabel.format(date);
}

/** The UTC day `daysBack` days before today, as YYYY-MM-DD. */
export function utcDayOffset(daysBack: number, now: Date = new Date()): string {
  return new Date(now.getTime() - daysBack * 86_400_000).toISOString().slice(0, 10);
}
