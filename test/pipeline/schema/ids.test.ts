import { describe, expect, it } from 'vitest';
import { utcDate } from '../../../pipeline/schema/ids.ts';

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
