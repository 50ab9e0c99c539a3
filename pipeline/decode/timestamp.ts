// Reading timestamps: ISO-8601 with an explicit offset (or Z), or integer epoch milliseconds.
// Parsed by hand rather than with Date.parse, which accepts local-time strings and rolls
// impossible dates (Feb 30) over instead of refusing them.
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (year: number, month: number): number => (month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number));

/** Epoch milliseconds for a contract timestamp, or null when it is not one. Sub-millisecond digits are truncated. */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? value : null;
  }
  if (typeof value !== 'string' || value.length > 40) return null;
  const fast = parseCanonicalUtc(value);
  if (fast !== undefined) return fast;
  const m = ISO.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offsetMinutes = parseOffset(m[8] as string);
  if (offsetMinutes === null) return null;
  // Date.UTC maps years 0-99 to 1900-1999; such years are far outside the contract's range anyway,
  // but they are still computed literally so the caller's "too old" check sees the true instant.
  const utc = year >= 100 ? Date.UTC(year, month - 1, day, hour, minute, second, millis) : literalYearUtc(year, month, day, hour, minute, second, millis);
  return utc - offsetMinutes * 60_000;
}

function literalYearUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

function parseOffset(text: string): number | null {
  if (text === 'Z' || text === 'z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 18 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

const digit = (text: string, i: number): number => text.charCodeAt(i) - 48;
const two = (text: string, i: number): number => digit(text, i) * 10 + digit(text, i + 1);

/**
 * Fast path for what meters send almost always, `YYYY-MM-DDTHH:MM:SSZ` or with `.sss`: a few
 * char-code reads instead of a regex (the regex path costs as much as parsing the whole reading).
 * Returns undefined for anything else, which then takes the general path.
 */
function parseCanonicalUtc(text: string): number | null | undefined {
  const length = text.length;
  if ((length !== 20 && length !== 24) || text.charCodeAt(length - 1) !== 90 /* Z */) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return undefined;
  if (length === 24 && text[19] !== '.') return undefined;
  for (const i of length === 24 ? CANONICAL_DIGITS_MS : CANONICAL_DIGITS) {
    const d = digit(text, i);
    if (d < 0 || d > 9) return undefined;
  }
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  const millis = length === 24 ? digit(text, 20) * 100 + two(text, 21) : 0;
  if (year < 100) return undefined; // Date.UTC would map it to 19xx; the general path handles it
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

const CANONICAL_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const CANONICAL_DIGITS_MS = [...CANONICAL_DIGITS, 20, 21, 22];
