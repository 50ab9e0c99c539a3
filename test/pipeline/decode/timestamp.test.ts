import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTimestamp } from '../../../pipeline/decode/timestamp.ts';

const READING = Date.UTC(2025, 10, 21, 9, 55, 0); // 2025-11-21T09:55:00Z

describe('parseTimestamp: ISO-8601 with an offset', () => {
  it('reads a UTC timestamp ending in Z', () => {
    expect(parseTimestamp('2025-11-21T09:55:00Z')).toBe(READING);
  });

  it('reads a lower-case z as UTC', () => {
    expect(parseTimestamp('2025-11-21T09:55:00z')).toBe(READING);
  });

  it('applies a positive offset', () => {
    expect(parseTimestamp('2025-11-21T10:55:00+01:00')).toBe(READING);
  });

  it('applies a negative offset across midnight', () => {
    expect(parseTimestamp('2025-11-20T21:55:00-12:00')).toBe(READING);
  });

  it('applies the easternmost offset, +14:00', () => {
    expect(parseTimestamp('2025-11-21T23:55:00+14:00')).toBe(READING);
  });

  it('reads an offset without a colon', () => {
    expect(parseTimestamp('2025-11-21T11:25:00+0130')).toBe(READING);
  });

  it('reads an hours-only offset', () => {
    expect(parseTimestamp('2025-11-21T07:55:00-02')).toBe(READING);
  });

  it('keeps milliseconds', () => {
    expect(parseTimestamp('2025-11-21T09:55:00.250Z')).toBe(READING + 250);
  });

  it('truncates digits below the millisecond', () => {
    expect(parseTimestamp('2025-11-21T09:55:00.123456789Z')).toBe(READING + 123);
  });

  it('reads a comma as the decimal sign', () => {
    expect(parseTimestamp('2025-11-21T09:55:00,5Z')).toBe(READING + 500);
  });

  it('reads hh:mm without seconds', () => {
    expect(parseTimestamp('2025-11-21T09:55Z')).toBe(READING);
  });

  it('reads February 29 of a leap year', () => {
    expect(parseTimestamp('2024-02-29T12:00:00Z')).toBe(Date.UTC(2024, 1, 29, 12));
  });

  it('reads years below 100 literally, not as 19xx', () => {
    expect(parseTimestamp('0050-06-15T00:00:00Z')).toBe(Date.parse('0050-06-15T00:00:00.000Z'));
  });

  it('reads February 29 of year 0000, a leap year in the proleptic Gregorian calendar', () => {
    expect(parseTimestamp('0000-02-29T12:00:00Z')).toBe(Date.parse('0000-02-29T12:00:00.000Z'));
  });
});

describe('parseTimestamp: epoch milliseconds', () => {
  it('passes integer epoch milliseconds through', () => {
    expect(parseTimestamp(1763718900000)).toBe(1763718900000);
  });

  it('refuses fractional milliseconds', () => {
    expect(parseTimestamp(1763718900000.5)).toBeNull();
  });

  it('refuses integers beyond 2^53, which JSON.parse has already rounded', () => {
    expect(parseTimestamp(2 ** 53)).toBeNull();
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses %d', (value) => {
    expect(parseTimestamp(value)).toBeNull();
  });
});

describe('parseTimestamp: what is not a contract timestamp', () => {
  it.each([
    ['a local time without offset', '2025-11-21T09:55:00'],
    ['a date without a time', '2025-11-21'],
    ['a space instead of T', '2025-11-21 09:55:00Z'],
    ['an RFC 2822 date', 'Fri, 21 Nov 2025 09:55:00 GMT'],
    ['a zone abbreviation', '2025-11-21T10:55:00 CET'],
    ['epoch ms as a string', '1763718900000'],
    ['February 30', '2025-02-30T10:00:00Z'],
    ['February 29 of a common year', '2025-02-29T10:00:00Z'],
    ['April 31', '2025-04-31T10:00:00Z'],
    ['month 13', '2025-13-01T10:00:00Z'],
    ['hour 24', '2025-11-20T24:00:00Z'],
    ['minute 60', '2025-11-21T09:60:00Z'],
    ['second 60', '2025-11-21T09:55:60Z'],
    ['an offset of +25:00', '2025-11-21T09:55:00+25:00'],
    ['a leading space', ' 2025-11-21T09:55:00Z'],
    ['a valid timestamp followed by padding past 40 characters', `2025-11-21T09:55:00Z${' '.repeat(30)}`],
  ])('refuses %s', (_what, text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  it.each([[null], [undefined], [true], [{ iso: '2025-11-21T09:55:00Z' }], [['2025-11-21T09:55:00Z']]])('refuses the non-string, non-number %o', (value) => {
    expect(parseTimestamp(value)).toBeNull();
  });
});

describe('parseTimestamp on the canonical UTC form (fast path)', () => {
  /** Independent oracle: Date.parse, accepted only when the instant prints back as the same text. */
  const oracle = (text: string): number | null => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return null;
    const printed = new Date(ms).toISOString();
    return (text.length === 24 ? printed : printed.replace('.000Z', 'Z')) === text ? ms : null;
  };

  it('agrees with Date.parse on every real instant, with and without milliseconds', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
      const withMs = date.toISOString();
      const withoutMs = `${withMs.slice(0, 19)}Z`;
      expect(parseTimestamp(withMs)).toBe(date.getTime());
      expect(parseTimestamp(withoutMs)).toBe(Math.floor(date.getTime() / 1000) * 1000);
    }));
  });

  it('refuses the same impossible dates as Date.parse round-tripping does', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const text = fc.tuple(fc.integer({ min: 1000, max: 9999 }), two(19), two(39), two(29), two(69), two(69))
      .map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
    fc.assert(fc.property(text, (t) => {
      expect(parseTimestamp(t)).toBe(oracle(t));
    }), { numRuns: 5000 });
  });
});
