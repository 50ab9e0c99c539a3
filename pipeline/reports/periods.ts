// The local days a report run covers. A period is computed from the run's instant in the
// report's timezone (the local calendar day the run falls on), so a run at 00:30 on the 1st in
// Stockholm reports the previous month even though it is still the last day of it in UTC.
// Calendar arithmetic is done on dates alone (no clock time), so daylight saving cannot shift it.
import { DAY_MS, isValidDate } from '../schema/ids.ts';
import type { RelativePeriod } from './definitions.ts';

export interface ReportPeriod {
  /** First local day, inclusive (YYYY-MM-DD). */
  start_date: string;
  /** Last local day, inclusive (YYYY-MM-DD). */
  end_date: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date (YYYY-MM-DD) of an instant in an IANA timezone; throws RangeError for an unknown zone. */
export function localDate(instant: Date, timezone: string): string {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid run time');
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(timezone, format);
  }
  const part: Record<string, string> = {};
  for (const { type, value } of format.formatToParts(ms)) part[type] = value;
  const date = `${part.year}-${part.month}-${part.day}`;
  // Years outside 0001-9999 would not be YYYY-MM-DD (and no report runs then).
  if (!isValidDate(date)) throw new RangeError(`run time ${instant.toISOString()} is outside the supported years`);
  return date;
}

/** A YYYY-MM-DD date as the UTC midnight of that day, for calendar arithmetic only. */
const dayMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const addDays = (date: string, days: number): string => dateOf(dayMs(date) + days * DAY_MS);

/** The period `relative` to a run at `runAt`, in local days of `timezone`. */
export function reportPeriod(relative: RelativePeriod, runAt: Date, timezone: string): ReportPeriod {
  const today = localDate(runAt, timezone);
  switch (relative) {
    case 'previous_day': {
      const yesterday = addDays(today, -1);
      return { start_date: yesterday, end_date: yesterday };
    }
    case 'previous_week': {
      // ISO weeks start on Monday; getUTCDay is 0 for Sunday.
      const daysSinceMonday = (new Date(dayMs(today)).getUTCDay() + 6) % 7;
      const monday = addDays(today, -daysSinceMonday - 7);
      return { start_date: monday, end_date: addDays(monday, 6) };
    }
    case 'previous_month': {
      const firstOfThisMonth = `${today.slice(0, 8)}01`;
      const end = addDays(firstOfThisMonth, -1);
      return { start_date: `${end.slice(0, 8)}01`, end_date: end };
    }
  }
}
