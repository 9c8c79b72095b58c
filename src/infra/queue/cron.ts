// Five-field cron expressions in UTC (minute hour day-of-month month day-of-week), with the
// usual `*`, lists, ranges, steps, month and weekday names, and @hourly/@daily/@weekly/@monthly.
// As in Vixie cron, when both day fields are restricted a day matching either one runs.

export class CronError extends Error {
  override name = 'CronError';
}

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  // 7 is Sunday too.
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

const MACROS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

export interface CronSchedule {
  readonly expression: string;
  /** The first matching minute strictly after `after`. */
  next(after: Date): Date;
}

function parseValue(raw: string, field: Field): number {
  const lower = raw.toLowerCase();
  const named = field.names?.indexOf(lower) ?? -1;
  const value = named >= 0 ? named + (field.name === 'month' ? 1 : 0) : Number(raw);
  if (!/^\d+$/.test(raw) && named < 0) {
    throw new CronError(`${field.name}: "${raw}" is not a number`);
  }
  if (!Number.isInteger(value) || value < field.min || value > field.max) {
    throw new CronError(`${field.name}: ${raw} is outside ${field.min}-${field.max}`);
  }
  return value;
}

function parseField(text: string, field: Field): { values: Set<number>; any: boolean } {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined || range === '')
      throw new CronError(`${field.name}: "${part}" is invalid`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        throw new CronError(`${field.name}: step "${stepText}" must be a positive number`);
      }
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = field.min;
      to = field.max;
    } else if (range.includes('-')) {
      const [a = '', b = '', more] = range.split('-');
      if (more !== undefined) throw new CronError(`${field.name}: "${range}" is invalid`);
      from = parseValue(a, field);
      to = parseValue(b, field);
      if (from > to) throw new CronError(`${field.name}: range ${range} runs backwards`);
    } else {
      from = parseValue(range, field);
      // "5/15" means from 5 to the end in steps of 15.
      to = stepText === undefined ? from : field.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return { values, any: text === '*' };
}

export function parseCron(expression: string): CronSchedule {
  const source = MACROS[expression.trim().toLowerCase()] ?? expression.trim();
  const parts = source.split(/\s+/);
  if (parts.length !== 5) {
    throw new CronError(
      `"${expression}" must have five fields: minute hour day-of-month month day-of-week`,
    );
  }
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  if (!minutes || !hours || !days || !months || !weekdays) throw new CronError('unreachable');
  if (weekdays.values.has(7)) weekdays.values.add(0);

  const dayMatches = (d: Date): boolean => {
    const dom = days.values.has(d.getUTCDate());
    const dow = weekdays.values.has(d.getUTCDay());
    if (days.any && weekdays.any) return true;
    if (days.any) return dow;
    if (weekdays.any) return dom;
    return dom || dow;
  };

  return {
    expression,
    next(after: Date): Date {
      const t = new Date(after.getTime());
      t.setUTCSeconds(0, 0);
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      // Five years without a match means the expression can never fire (e.g. 30 February).
      const limit = after.getTime() + 5 * 366 * 86_400_000;
      while (t.getTime() <= limit) {
        if (!months.values.has(t.getUTCMonth() + 1)) {
          t.setUTCMonth(t.getUTCMonth() + 1, 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!dayMatches(t)) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
        } else if (!hours.values.has(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        } else if (!minutes.values.has(t.getUTCMinutes())) {
          t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        } else {
          return t;
        }
      }
      throw new CronError(`"${expression}" never matches a date`);
    },
  };
}
