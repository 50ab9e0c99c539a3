import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { byFields, siteSlots } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

function expected(start: string, end: string, siteId?: string) {
  const slots = siteSlots(golden.reference.slots.filter((s) => s.local.day >= start && s.local.day <= end && (!siteId || s.siteId === siteId)));
  const groups = new Map<string, { site_id: string; weekday: number; hour: number; demands: number[] }>();
  for (const slot of slots) {
    const key = `${slot.siteId}|${slot.local.weekday}|${slot.local.hour}`;
    const group = groups.get(key) ?? { site_id: slot.siteId, weekday: slot.local.weekday, hour: slot.local.hour, demands: [] };
    group.demands.push(slot.kwh * 4);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ demands, ...g }) => ({ ...g, mean_kw: demands.reduce((a, b) => a + b, 0) / demands.length, slots: demands.length }))
    .sort(byFields('site_id', 'weekday', 'hour'));
}

describe('weekday_hour_load', () => {
  it('averages the slot demand of each local weekday and hour, as the reference does', async () => {
    const rows = await golden.run('weekday_hour_load', { start_date: '2026-01-01', end_date: '2026-11-30' });
    expectRowsClose(rows, expected('2026-01-01', '2026-11-30'));
  });

  it('labels weekdays in local time: New York evening slots that are already Tuesday in UTC stay Monday', async () => {
    // 9 March 2026 is a Monday; 20:00-23:59 EDT is Tuesday 00:00-03:59 UTC.
    const rows = await golden.run('weekday_hour_load', { start_date: '2026-03-09', end_date: '2026-03-09', site_id: 'site-nyc' });
    expect(rows.map((r) => r.weekday)).toEqual(Array(24).fill(1));
    expect(rows.map((r) => r.hour)).toEqual(Array.from({ length: 24 }, (_, h) => h));
    expectRowsClose(rows, expected('2026-03-09', '2026-03-09', 'site-nyc'));
  });

  it('has no 02:00 on the spring-forward Sunday and eight slots in it on the fall-back Sunday (Stockholm)', async () => {
    const spring = await golden.run('weekday_hour_load', { start_date: '2026-03-29', end_date: '2026-03-29', site_id: 'site-sto' });
    expect(spring.map((r) => [r.weekday, r.hour])).toEqual([0, 1, ...Array.from({ length: 21 }, (_, i) => i + 3)].map((h) => [7, h]));
    const autumn = await golden.run('weekday_hour_load', { start_date: '2026-10-25', end_date: '2026-10-25', site_id: 'site-sto' });
    expect(autumn.map((r) => [r.weekday, r.hour, r.slots])).toEqual(Array.from({ length: 24 }, (_, h) => [7, h, h === 2 ? 8 : 4]));
  });

  it('keeps only the requested site, and binds a hostile site_id as a plain value', async () => {
    const sto = await golden.run('weekday_hour_load', { start_date: '2026-03-01', end_date: '2026-03-31', site_id: 'site-sto' });
    expect(new Set(sto.map((r) => r.site_id))).toEqual(new Set(['site-sto']));
    expectRowsClose(sto, expected('2026-03-01', '2026-03-31', 'site-sto'));
    expect(await golden.run('weekday_hour_load', { start_date: '2026-03-01', end_date: '2026-03-31', site_id: "site-sto' OR '1'='1" })).toEqual([]);
  });
});
