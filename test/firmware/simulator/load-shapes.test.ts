import { describe, expect, it } from 'vitest';
import { createDemandCurve, dailyShape, localTime, seasonalFactor, type DemandParams } from '../../../firmware/simulator/load-shapes.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const at = (iso: string): number => Date.parse(iso);

/** Mean demand over the given local hours [from, to) of each day in `days`, sampled every 5 minutes. */
function meanDemand(demand: (ts: number) => number, days: number[], fromHour: number, toHour: number): number {
  let sum = 0;
  let n = 0;
  for (const day of days) {
    for (let t = day + fromHour * HOUR_MS; t < day + toHour * HOUR_MS; t += 300_000) {
      sum += demand(t);
      n += 1;
    }
  }
  return sum / n;
}

const typical: Omit<DemandParams, 'profile'> = { scaleKw: 1, morningShiftH: 0, eveningShiftH: 0, timezone: 'UTC', noiseSeed: 42 };

describe('localTime', () => {
  it('reads hour, weekday and day of year in UTC by default', () => {
    expect(localTime(at('2026-11-20T19:30:00Z'))).toEqual({ hour: 19.5, weekday: 5, dayOfYear: 324 });
  });

  it('applies the site timezone, winter and summer time', () => {
    expect(localTime(at('2026-11-20T12:00:00Z'), 'Europe/Stockholm').hour).toBe(13);
    expect(localTime(at('2026-07-01T12:00:00Z'), 'Europe/Stockholm').hour).toBe(14);
  });

  it('jumps an hour at the spring-forward instant', () => {
    expect(localTime(at('2026-03-29T00:59:00Z'), 'Europe/Stockholm').hour).toBeCloseTo(1 + 59 / 60, 10);
    expect(localTime(at('2026-03-29T01:00:00Z'), 'Europe/Stockholm').hour).toBe(3);
  });

  it('takes weekday and date from the local calendar, not UTC', () => {
    // Saturday 03:00 UTC is still Friday evening in New York.
    expect(localTime(at('2026-11-21T03:00:00Z'), 'America/New_York')).toEqual({ hour: 22, weekday: 5, dayOfYear: 324 });
  });

  it('rejects an unknown timezone when a demand curve is created', () => {
    expect(() => createDemandCurve({ ...typical, profile: 'household', timezone: 'Mars/Olympus_Mons' })).toThrow(RangeError);
  });
});

describe('daily shapes', () => {
  const peakHour = (weekday: number): number => {
    let best = 4;
    for (let h = 4; h < 12; h += 0.05) if (dailyShape('household', h, weekday) > dailyShape('household', best, weekday)) best = h;
    return best;
  };

  it('gives a household a 0.2-0.5 kW night baseload in November', () => {
    const night = dailyShape('household', 3, 5) * seasonalFactor('household', 324);
    expect(night).toBeGreaterThanOrEqual(0.2);
    expect(night).toBeLessThanOrEqual(0.5);
  });

  it('puts the household morning peak later at weekends', () => {
    expect(peakHour(6)).toBeGreaterThan(peakHour(3) + 1);
  });

  it('keeps a commercial baseload at night', () => {
    expect(dailyShape('commercial', 2, 3)).toBeGreaterThan(0.1);
    expect(dailyShape('commercial', 2, 3)).toBeLessThan(dailyShape('commercial', 11, 3) / 3);
  });

  it('makes winter heavier than summer for both profiles', () => {
    for (const profile of ['household', 'commercial'] as const) {
      expect(seasonalFactor(profile, 15)).toBeGreaterThan(seasonalFactor(profile, 196) * 1.1);
    }
  });
});

describe('demand curves with noise', () => {
  // Four weeks of November 2026, starting on Monday 2 November (UTC midnight).
  const days = Array.from({ length: 28 }, (_, i) => at('2026-11-02T00:00:00Z') + i * DAY_MS);
  const weekday = (day: number): number => new Date(day).getUTCDay();

  it('draws less at household night time than at the evening peak', () => {
    const demand = createDemandCurve({ ...typical, profile: 'household' });
    expect(meanDemand(demand, days, 2, 4)).toBeLessThan(meanDemand(demand, days, 18, 20) / 3);
  });

  it('draws more on commercial weekday daytime than at weekends', () => {
    const demand = createDemandCurve({ ...typical, profile: 'commercial', scaleKw: 40 });
    const weekdays = days.filter((d) => weekday(d) >= 1 && weekday(d) <= 5);
    const weekends = days.filter((d) => weekday(d) === 0 || weekday(d) === 6);
    expect(meanDemand(demand, weekdays, 10, 16)).toBeGreaterThan(2 * meanDemand(demand, weekends, 10, 16));
  });

  it('scales with the device scale factor', () => {
    const small = createDemandCurve({ ...typical, profile: 'household', scaleKw: 0.5 });
    const large = createDemandCurve({ ...typical, profile: 'household', scaleKw: 2 });
    const t = at('2026-11-20T19:00:00Z');
    expect(large(t)).toBeCloseTo(4 * small(t), 9);
  });

  it('varies from day to day at the same hour (noise), while staying positive', () => {
    const demand = createDemandCurve({ ...typical, profile: 'household' });
    const sevenPm = days.map((d) => demand(d + 19 * HOUR_MS));
    expect(new Set(sevenPm).size).toBe(sevenPm.length);
    expect(Math.min(...sevenPm)).toBeGreaterThan(0);
  });

  it('follows the local evening in a non-UTC timezone', () => {
    const utc = createDemandCurve({ ...typical, profile: 'household', noiseSeed: 1 });
    const newYork = createDemandCurve({ ...typical, profile: 'household', noiseSeed: 1, timezone: 'America/New_York' });
    // 19:00 in New York is 00:00 UTC (EST, UTC-5): the New York home is at its peak, the UTC one asleep.
    expect(meanDemand(newYork, days, 23.5, 24.5)).toBeGreaterThan(2 * meanDemand(utc, days, 23.5, 24.5));
  });
});
