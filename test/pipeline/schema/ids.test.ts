import { describe, expect, it } from 'vitest';
import { DAY_MS, utcDate, utcDateOfDay } from '../../../pipeline/schema/ids.ts';

describe('utcDate', () => {
  it('gives the UTC calendar day of an instant, whatever order the instants come in', () => {
    // utcDate remembers the last day it formatted; a different day must never get that answer.
    const instants = ['2026-03-28T23:59:59.999Z', '2026-03-29T00:00:00.000Z', '2026-03-28T00:00:00.000Z', '2026-03-29T12:30:00.000Z', '2026-03-28T12:00:00.000Z'];
    expect(instants.map((iso) => utcDate(Date.parse(iso)))).toEqual(['2026-03-28', '2026-03-29', '2026-03-28', '2026-03-29', '2026-03-28']);
  });

  it('counts days before 1970 from their own midnight', () => {
    expect(utcDate(-1)).toBe('1969-12-31');
    expect(utcDate(-86_400_000)).toBe('1969-12-31');
    expect(utcDate(-86_400_001)).toBe('1969-12-30');
  });

  it('drops a fraction of a millisecond toward zero, as Date does', () => {
    expect(utcDate(-1_000)).toBe('1969-12-31');
    expect(utcDate(-0.5)).toBe('1970-01-01');
    expect(utcDate(-86_400_000.5)).toBe('1969-12-31');
    expect(utcDate(86_399_999.9)).toBe('1970-01-01');
  });

  it('still refuses an instant past the range of Date right after the last day it can format', () => {
    expect(utcDate(8.64e15)).toBe(new Date(8.64e15).toISOString().slice(0, 10));
    expect(() => utcDate(8.64e15 + 1)).toThrow(RangeError);
    expect(() => utcDate(Number.NaN)).toThrow(RangeError);
  });
});

describe('utcDateOfDay', () => {
  it('gives the date of a day number, on both sides of 1970', () => {
    expect(utcDateOfDay(0)).toBe('1970-01-01');
    expect(utcDateOfDay(-1)).toBe('1969-12-31');
    expect(utcDateOfDay(Date.UTC(2026, 10, 26) / DAY_MS)).toBe('2026-11-26');
  });

  it('gives null for what is not a whole day number within Date\'s range, where utcDate would throw', () => {
    expect(utcDateOfDay(Number.NaN)).toBeNull();
    expect(utcDateOfDay(1.5)).toBeNull();
    expect(utcDateOfDay(100_000_001)).toBeNull(); // 8.64e15 ms is day 100,000,000
    expect(utcDateOfDay(100_000_000)).toBe(utcDate(100_000_000 * DAY_MS)); // the last day in range is utcDate's to format
  });
});
