import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAND_DAYS, openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { sumBy } from '../helpers/metering-reference.ts';
import { closeEnough, expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

/** daily_consumption as metering.md defines it, from the TypeScript reference. */
function expected(start: string, end: string, siteId?: string) {
  const slots = golden.reference.slots.filter((s) => s.local.day >= start && s.local.day <= end && (!siteId || s.siteId === siteId));
  const sums = sumBy(slots, (s) => [s.siteId, s.deviceId, s.local.day].join('|'), (s) => s.kwh);
  return [...sums].map(([key, kwh]) => {
    const [site_id, device_id, day] = key.split('|') as [string, string, string];
    return { site_id, device_id, day, kwh };
  }).sort((a, b) => a.site_id.localeCompare(b.site_id) || a.device_id.localeCompare(b.device_id) || a.day.localeCompare(b.day));
}

describe('daily_consumption', () => {
  it('gives each device its kWh per local day, as the reference computes them, across both DST changes of both zones', async () => {
    const rows = await golden.run('daily_consumption', { start_date: '2026-03-01', end_date: '2026-11-30' });
    expect(rows.length).toBeGreaterThan(300);
    expectRowsClose(rows, expected('2026-03-01', '2026-11-30'));
  });

  it.each(HAND_DAYS)('matches the hand-worked $kwh kWh of $device on $day ($hours h)', async ({ device, day, kwh }) => {
    const rows = await golden.run('daily_consumption', { start_date: day, end_date: day });
    const row = rows.find((r) => r.device_id === device);
    expect(row?.kwh as number).toBeCloseTo(kwh, 9);
  });

  it('shares a gap across local midnight between the two days in proportion to time', async () => {
    // sto-hand-m: 5 kWh from 22:00 CET to 04:00 CEST (5 real hours), local midnight after 2 of them.
    const rows = await golden.run('daily_consumption', { start_date: '2026-03-28', end_date: '2026-03-29', site_id: 'site-sto' });
    const hand = rows.filter((r) => r.device_id === 'sto-hand-m');
    expectRowsClose(hand, [
      { site_id: 'site-sto', device_id: 'sto-hand-m', day: '2026-03-28', kwh: 6 + 5 + 2 },
      { site_id: 'site-sto', device_id: 'sto-hand-m', day: '2026-03-29', kwh: 3 + 3 + 6 },
    ]);
  });

  it('keeps only the requested site when site_id is given', async () => {
    const rows = await golden.run('daily_consumption', { start_date: '2026-03-01', end_date: '2026-03-31', site_id: 'site-nyc' });
    expect(new Set(rows.map((r) => r.site_id))).toEqual(new Set(['site-nyc']));
    expectRowsClose(rows, expected('2026-03-01', '2026-03-31', 'site-nyc'));
  });

  it('counts UTC days for a site missing from sites', async () => {
    const rows = await golden.run('daily_consumption', { start_date: '2026-03-07', end_date: '2026-03-08', site_id: 'site-lab' });
    expectRowsClose(rows, [
      { site_id: 'site-lab', device_id: 'lab-1', day: '2026-03-07', kwh: 4 },
      { site_id: 'site-lab', device_id: 'lab-1', day: '2026-03-08', kwh: 4 },
    ]);
  });

  it('conserves energy: its sum over all days equals the sum of all interval consumptions, to 1e-9', async () => {
    const rows = await golden.run('daily_consumption', { start_date: '2000-01-01', end_date: '2099-12-31' });
    const total = rows.reduce((sum, r) => sum + (r.kwh as number), 0);
    const intervals = golden.reference.intervals.reduce((sum, i) => sum + i.kwh, 0);
    expect(closeEnough(total, intervals)).toBe(true);
    for (const device of new Set(golden.reference.intervals.map((i) => i.deviceId))) {
      const deviceTotal = rows.filter((r) => r.device_id === device).reduce((sum, r) => sum + (r.kwh as number), 0);
      const deviceIntervals = golden.reference.intervals.filter((i) => i.deviceId === device).reduce((sum, i) => sum + i.kwh, 0);
      expect(closeEnough(deviceTotal, deviceIntervals), device).toBe(true);
    }
  });

  it('conserves energy over a period bounded by readings: the days hold exactly the intervals inside it', async () => {
    // sto-hand-m reads at local midnight on 28 and 30 March: the two days hold the four intervals between.
    const rows = await golden.run('daily_consumption', { start_date: '2026-03-28', end_date: '2026-03-29', site_id: 'site-sto' });
    const days = rows.filter((r) => r.device_id === 'sto-hand-m').reduce((sum, r) => sum + (r.kwh as number), 0);
    const inside = golden.reference.intervals
      .filter((i) => i.deviceId === 'sto-hand-m' && i.startMs >= Date.parse('2026-03-27T23:00:00Z') && i.endMs <= Date.parse('2026-03-29T22:00:00Z'))
      .reduce((sum, i) => sum + i.kwh, 0);
    expect(closeEnough(days, inside)).toBe(true);
    expect(inside).toBe(25);
  });

  it('refuses a start_date that is not a date', async () => {
    await expect(golden.run('daily_consumption', { start_date: '2026-02-30', end_date: '2026-03-01' })).rejects.toThrow(/start_date must be a date YYYY-MM-DD, got "2026-02-30"/);
  });
});
