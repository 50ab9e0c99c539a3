import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { byFields, siteSlots } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

function expected(start: string, end: string, siteId?: string) {
  const slots = siteSlots(golden.reference.slots.filter((s) => s.local.day >= start && s.local.day <= end && (!siteId || s.siteId === siteId)));
  const groups = new Map<string, { site_id: string; day_type: string; hour: number; demands: number[] }>();
  for (const slot of slots) {
    const day_type = slot.local.weekday >= 6 ? 'weekend' : 'weekday';
    const key = `${slot.siteId}|${day_type}|${slot.local.hour}`;
    const group = groups.get(key) ?? { site_id: slot.siteId, day_type, hour: slot.local.hour, demands: [] };
    group.demands.push(slot.kwh * 4);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ demands, ...g }) => ({ ...g, mean_kw: demands.reduce((a, b) => a + b, 0) / demands.length, slots: demands.length }))
    .sort(byFields('site_id', 'day_type', 'hour'));
}

describe('hourly_load_profile', () => {
  it('averages the slot demand of each local hour, weekdays apart from weekends, as the reference does', async () => {
    const rows = await golden.run('hourly_load_profile', { start_date: '2026-01-01', end_date: '2026-11-30' });
    expectRowsClose(rows, expected('2026-01-01', '2026-11-30'));
  });

  it('has no 02:00 hour on the spring-forward day and eight slots in it on the fall-back day (Stockholm)', async () => {
    const spring = await golden.run('hourly_load_profile', { start_date: '2026-03-29', end_date: '2026-03-29', site_id: 'site-sto' });
    expect(spring.map((r) => r.hour)).toEqual([0, 1, ...Array.from({ length: 21 }, (_, i) => i + 3)]);
    expect(spring.every((r) => r.slots === 4 && r.day_type === 'weekend')).toBe(true);
    const autumn = await golden.run('hourly_load_profile', { start_date: '2026-10-25', end_date: '2026-10-25', site_id: 'site-sto' });
    expect(autumn.map((r) => [r.hour, r.slots])).toEqual(Array.from({ length: 24 }, (_, h) => [h, h === 2 ? 8 : 4]));
  });

  it('has no 02:00 hour on 8 March and a doubled 01:00 hour on 1 November (New York)', async () => {
    const spring = await golden.run('hourly_load_profile', { start_date: '2026-03-08', end_date: '2026-03-08', site_id: 'site-nyc' });
    expect(spring.map((r) => r.hour)).not.toContain(2);
    expect(spring).toHaveLength(23);
    const autumn = await golden.run('hourly_load_profile', { start_date: '2026-11-01', end_date: '2026-11-01', site_id: 'site-nyc' });
    expect(autumn.find((r) => r.hour === 1)?.slots).toBe(8);
    expectRowsClose(autumn, expected('2026-11-01', '2026-11-01', 'site-nyc'));
  });
});
