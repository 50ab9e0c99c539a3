import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { byFields, siteSlots } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

function expected(start: string, end: string, siteId?: string) {
  const days = new Map<string, { site_id: string; day: string; night: number[]; slots: number; kwh: number }>();
  for (const slot of siteSlots(golden.reference.slots.filter((s) => s.local.day >= start && s.local.day <= end && (!siteId || s.siteId === siteId)))) {
    const key = `${slot.siteId}|${slot.local.day}`;
    const day = days.get(key) ?? { site_id: slot.siteId, day: slot.local.day, night: [], slots: 0, kwh: 0 };
    if (slot.local.hour >= 1 && slot.local.hour < 5) day.night.push(slot.kwh * 4);
    day.slots++;
    day.kwh += slot.kwh;
    days.set(key, day);
  }
  return [...days.values()].map(({ site_id, day, night, slots, kwh }) => {
    const baseload = night.length ? night.reduce((a, b) => a + b, 0) / night.length : null;
    const hours = slots / 4;
    return {
      site_id, day, baseload_kw: baseload, night_slots: night.length, hours, kwh,
      baseload_kwh: baseload === null ? null : baseload * hours,
      baseload_share_pct: baseload === null ? null : (100 * baseload * hours) / kwh,
    };
  }).sort(byFields('site_id', 'day'));
}

describe('baseload', () => {
  it('gives the mean 01:00-05:00 local demand per site and day and its share, as the reference does', async () => {
    const rows = await golden.run('baseload', { start_date: '2026-01-01', end_date: '2026-11-30' });
    expectRowsClose(rows, expected('2026-01-01', '2026-11-30'));
  });

  it('averages 12 night slots on spring-forward days and 20 on fall-back days, over 23 and 25 hours', async () => {
    const rows = await golden.run('baseload', { start_date: '2026-03-01', end_date: '2026-11-30' });
    const day = (site: string, d: string) => rows.find((r) => r.site_id === site && r.day === d);
    expect([day('site-sto', '2026-03-29')?.night_slots, day('site-sto', '2026-03-29')?.hours]).toEqual([12, 23]);
    expect([day('site-sto', '2026-10-25')?.night_slots, day('site-sto', '2026-10-25')?.hours]).toEqual([20, 25]);
    expect([day('site-nyc', '2026-03-08')?.night_slots, day('site-nyc', '2026-03-08')?.hours]).toEqual([12, 23]);
    expect([day('site-nyc', '2026-11-01')?.night_slots, day('site-nyc', '2026-11-01')?.hours]).toEqual([20, 25]);
  });

  it('has no baseload on a day without night data', async () => {
    const rows = await golden.run('baseload', { start_date: '2026-03-07', end_date: '2026-03-07', site_id: 'site-lab' });
    // lab-1 starts at 20:00 UTC: 4 hours of 1 kW, no night slots.
    expectRowsClose(rows, [{ site_id: 'site-lab', day: '2026-03-07', baseload_kw: null, night_slots: 0, hours: 4, kwh: 4, baseload_kwh: null, baseload_share_pct: null }]);
  });
});
