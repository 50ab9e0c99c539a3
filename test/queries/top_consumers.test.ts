import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { sumBy } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

function expected(start: string, end: string, by: 'site' | 'device', topN: number) {
  const slots = golden.reference.slots.filter((s) => s.local.day >= start && s.local.day <= end);
  // kWh to 1e-9, as the query rounds them: equal consumers tie exactly.
  const sums = new Map([...sumBy(slots, (s) => (by === 'device' ? `${s.siteId}|${s.deviceId}` : `${s.siteId}|`), (s) => s.kwh)]
    .map(([key, kwh]) => [key, Math.round(kwh * 1e9) / 1e9]));
  const total = [...sums.values()].reduce((a, b) => a + b, 0);
  const consumers = [...sums].map(([key, kwh]) => {
    const [site_id, device] = key.split('|') as [string, string];
    return { site_id, device_id: device || null, kwh, share_pct: (100 * kwh) / total };
  }).sort((a, b) => b.kwh - a.kwh || a.site_id.localeCompare(b.site_id) || (a.device_id ?? '').localeCompare(b.device_id ?? ''));
  // Competition ranking: equal kWh share a rank (1, 2, 2, 4).
  return consumers.map((c) => ({ rank: consumers.findIndex((o) => o.kwh === c.kwh) + 1, ...c })).filter((c) => c.rank <= topN);
}

describe('top_consumers', () => {
  it('ranks devices by kWh over the period with their share of the total, as the reference does', async () => {
    const rows = await golden.run('top_consumers', { start_date: '2026-03-01', end_date: '2026-03-31' });
    expectRowsClose(rows, expected('2026-03-01', '2026-03-31', 'device', 10));
    expect(rows.reduce((sum, r) => sum + (r.share_pct as number), 0)).toBeCloseTo(100, 9);
  });

  it('ranks sites when rank_by is site, and lists only top_n ranks', async () => {
    const rows = await golden.run('top_consumers', { start_date: '2026-01-01', end_date: '2026-11-30', rank_by: 'site', top_n: '2' });
    expect(rows).toHaveLength(2);
    expectRowsClose(rows, expected('2026-01-01', '2026-11-30', 'site', 2));
  });

  it('refuses a rank_by other than device or site', async () => {
    await expect(golden.run('top_consumers', { start_date: '2026-01-01', end_date: '2026-01-31', rank_by: 'region' })).rejects.toThrow(/rank_by must be one of device, site, got "region"/);
  });
});
