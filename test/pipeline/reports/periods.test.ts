import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate, reportPeriod } from '../../../pipeline/reports/periods.ts';

const STO = 'Europe/Stockholm';
const NYC = 'America/New_York';
const at = (iso: string): Date => new Date(iso);

describe('localDate', () => {
  it('is the calendar day of the instant in the zone, not in UTC', () => {
    // 2026-03-01 03:00Z: 04:00 on the 1st in Stockholm, 22:00 on 28 February in New York.
    expect(localDate(at('2026-03-01T03:00:00Z'), STO)).toBe('2026-03-01');
    expect(localDate(at('2026-03-01T03:00:00Z'), NYC)).toBe('2026-02-28');
    expect(localDate(at('2026-03-01T03:00:00Z'), 'UTC')).toBe('2026-03-01');
  });

  it('agrees with Intl en-CA formatting for any instant and zone', () => {
    const zones = [STO, NYC, 'UTC', 'Asia/Kolkata', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/St_Johns'];
    fc.assert(fc.property(fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') }), fc.constantFrom(...zones), (ms, zone) => {
      expect(localDate(new Date(ms), zone)).toBe(new Date(ms).toLocaleDateString('en-CA', { timeZone: zone }));
    }));
  });

  it('throws for an unknown timezone or an invalid time', () => {
    expect(() => localDate(at('2026-03-01T00:00:00Z'), 'Europe/Stockholmm')).toThrow(RangeError);
    expect(() => localDate(new Date(Number.NaN), STO)).toThrow(RangeError);
  });
});

describe('reportPeriod: previous_day', () => {
  it('is yesterday in the report timezone', () => {
    // Monday 30 March 07:00 CEST: yesterday is the 23-hour spring-forward Sunday.
    expect(reportPeriod('previous_day', at('2026-03-30T05:00:00Z'), STO)).toEqual({ start_date: '2026-03-29', end_date: '2026-03-29' });
  });

  it('a run at 00:30 local reports the day that just ended, though UTC is still on it', () => {
    // 26 October 00:30 CET = 25 October 23:30Z: the 25-hour fall-back day just ended.
    expect(reportPeriod('previous_day', at('2026-10-25T23:30:00Z'), STO)).toEqual({ start_date: '2026-10-25', end_date: '2026-10-25' });
    expect(reportPeriod('previous_day', at('2026-10-25T23:30:00Z'), 'UTC')).toEqual({ start_date: '2026-10-24', end_date: '2026-10-24' });
  });

  it('a run at 23:30 local reports the day before, not the day about to end', () => {
    expect(reportPeriod('previous_day', at('2026-03-29T21:30:00Z'), STO)).toEqual({ start_date: '2026-03-28', end_date: '2026-03-28' });
  });

  it('crosses month and year boundaries, and 29 February', () => {
    expect(reportPeriod('previous_day', at('2027-01-01T06:00:00Z'), STO)).toEqual({ start_date: '2026-12-31', end_date: '2026-12-31' });
    expect(reportPeriod('previous_day', at('2028-03-01T12:00:00Z'), NYC)).toEqual({ start_date: '2028-02-29', end_date: '2028-02-29' });
    expect(reportPeriod('previous_day', at('2026-03-01T12:00:00Z'), NYC)).toEqual({ start_date: '2026-02-28', end_date: '2026-02-28' });
  });
});

describe('reportPeriod: previous_week', () => {
  it('on a Monday is the ISO week (Monday to Sunday) that just ended, DST change included', () => {
    expect(reportPeriod('previous_week', at('2026-03-30T04:00:00Z'), STO)).toEqual({ start_date: '2026-03-23', end_date: '2026-03-29' });
  });

  it('late on a Sunday is the week before: the current week is not complete yet', () => {
    // Sunday 29 March 23:59 CEST.
    expect(reportPeriod('previous_week', at('2026-03-29T21:59:00Z'), STO)).toEqual({ start_date: '2026-03-16', end_date: '2026-03-22' });
  });

  it('uses the local weekday: Monday 00:30 in Stockholm is still Sunday in UTC', () => {
    // Monday 6 April 00:30 CEST = Sunday 5 April 22:30Z.
    expect(reportPeriod('previous_week', at('2026-04-05T22:30:00Z'), STO)).toEqual({ start_date: '2026-03-30', end_date: '2026-04-05' });
    expect(reportPeriod('previous_week', at('2026-04-05T22:30:00Z'), 'UTC')).toEqual({ start_date: '2026-03-23', end_date: '2026-03-29' });
  });

  it('spans the turn of the year (ISO week 53 of 2026)', () => {
    expect(reportPeriod('previous_week', at('2027-01-04T05:00:00Z'), STO)).toEqual({ start_date: '2026-12-28', end_date: '2027-01-03' });
    // Friday 1 January 2027: the last complete week is the one before Christmas week's end.
    expect(reportPeriod('previous_week', at('2027-01-01T05:00:00Z'), STO)).toEqual({ start_date: '2026-12-21', end_date: '2026-12-27' });
  });
});

describe('reportPeriod: previous_month', () => {
  it('on the 1st is the calendar month that just ended', () => {
    expect(reportPeriod('previous_month', at('2026-04-01T04:00:00Z'), STO)).toEqual({ start_date: '2026-03-01', end_date: '2026-03-31' });
    expect(reportPeriod('previous_month', at('2026-12-01T05:00:00Z'), STO)).toEqual({ start_date: '2026-11-01', end_date: '2026-11-30' });
  });

  it('a run at 00:30 local on the 1st, still the last day of the month in UTC, reports the month that just ended', () => {
    // 1 April 00:30 CEST = 31 March 22:30Z.
    expect(reportPeriod('previous_month', at('2026-03-31T22:30:00Z'), STO)).toEqual({ start_date: '2026-03-01', end_date: '2026-03-31' });
    expect(reportPeriod('previous_month', at('2026-03-31T22:30:00Z'), 'UTC')).toEqual({ start_date: '2026-02-01', end_date: '2026-02-28' });
  });

  it('ends on the month\'s last day: 29 February in a leap year, December across the year', () => {
    expect(reportPeriod('previous_month', at('2028-03-15T12:00:00Z'), NYC)).toEqual({ start_date: '2028-02-01', end_date: '2028-02-29' });
    expect(reportPeriod('previous_month', at('2027-01-01T05:00:00Z'), STO)).toEqual({ start_date: '2026-12-01', end_date: '2026-12-31' });
  });

  it('includes the fall-back day: October in Stockholm', () => {
    expect(reportPeriod('previous_month', at('2026-11-01T05:00:00Z'), STO)).toEqual({ start_date: '2026-10-01', end_date: '2026-10-31' });
  });
});

describe('reportPeriod: invariants', () => {
  const DAY = 86_400_000;
  const dayMs = (d: string): number => Date.parse(`${d}T00:00:00Z`);
  const instants = fc.integer({ min: Date.parse('2001-01-01T00:00:00Z'), max: Date.parse('2099-12-31T00:00:00Z') });
  const zones = fc.constantFrom(STO, NYC, 'UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kathmandu');

  it('every period ends before the run\'s local day and has the right shape', () => {
    fc.assert(fc.property(instants, zones, (ms, zone) => {
      const today = dayMs(localDate(new Date(ms), zone));
      const day = reportPeriod('previous_day', new Date(ms), zone);
      expect(dayMs(day.end_date)).toBe(today - DAY);
      expect(day.start_date).toBe(day.end_date);

      const week = reportPeriod('previous_week', new Date(ms), zone);
      expect(new Date(dayMs(week.start_date)).getUTCDay()).toBe(1);
      expect(dayMs(week.end_date) - dayMs(week.start_date)).toBe(6 * DAY);
      // The week ends on the last Sunday strictly before today.
      expect(today - dayMs(week.end_date)).toBeGreaterThanOrEqual(DAY);
      expect(today - dayMs(week.end_date)).toBeLessThanOrEqual(7 * DAY);

      const month = reportPeriod('previous_month', new Date(ms), zone);
      expect(month.start_date.endsWith('-01')).toBe(true);
      expect(month.end_date.slice(0, 7)).toBe(month.start_date.slice(0, 7));
      // The day after the end is the 1st of the run's local month.
      expect(new Date(dayMs(month.end_date) + DAY).toISOString().slice(0, 10)).toBe(`${localDate(new Date(ms), zone).slice(0, 7)}-01`);
    }));
  });
});
