// Site and device IDs end up in topics, S3 keys, partition values and SQL results,
// so they are checked once, here, before they can reach any of those.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** True for a contract-valid `site_id` / `device_id`. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value) && value !== '.' && value !== '..';
}

/** Milliseconds in a UTC day (no leap seconds in epoch time). */
export const DAY_MS = 86_400_000;
/** Date's range: beyond it toISOString throws, and no cached day may answer instead. */
const MAX_DATE_MS = 8.64e15;
// The day of the last call: the transform asks once per record, nearly always for the same day,
// and formatting a Date was 4 % of the twin's delivery of single-reading messages.
let lastDay = Number.NaN;
let lastDate = '';

/** The UTC calendar date (YYYY-MM-DD) of an epoch-millisecond instant: the `dt` partition value. */
export function utcDate(epochMs: number): string {
  // Date drops a fraction of a millisecond toward zero (-0.5 is 1970-01-01), so the day is taken the same way.
  const day = Math.floor(Math.trunc(epochMs) / DAY_MS);
  if (day === lastDay && Math.abs(epochMs) < MAX_DATE_MS) return lastDate;
  const date = new Date(epochMs).toISOString().slice(0, 10);
  lastDay = day;
  lastDate = date;
  return date;
}

/** The UTC date of day number `day` (whole days since 1970-01-01), or null for anything else or a day beyond Date's range. */
export function utcDateOfDay(day: number): string | null {
  return Number.isSafeInteger(day) && Math.abs(day * DAY_MS) <= MAX_DATE_MS ? utcDate(day * DAY_MS) : null;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written as YYYY-MM-DD (the only form a `dt` may take). */
export function isValidDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && utcDate(ms) === value;
}
