import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, referenceRows, type GoldenLake } from '../helpers/golden-lake.ts';
import { byFields } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

function expected(start: string, end: string) {
  const regions = new Map(referenceRows('sites').map((s) => [s.site_id, s.region || null]));
  const factors = referenceRows('emission_factors');
  const groups = new Map<string, { site_id: string; region: string | null; month: string; kwh: number; kg_co2e: number | null; kwh_without_factor: number }>();
  for (const slot of golden.reference.slots.filter((s) => s.local.day >= start && s.local.day <= end)) {
    const region = regions.get(slot.siteId) ?? null;
    const factor = factors.find((f) => f.region === region && slot.local.day >= f.valid_from! && (!f.valid_to || slot.local.day <= f.valid_to));
    const key = `${slot.siteId}|${slot.local.month}`;
    const group = groups.get(key) ?? { site_id: slot.siteId, region, month: slot.local.month, kwh: 0, kg_co2e: null, kwh_without_factor: 0 };
    group.kwh += slot.kwh;
    if (factor) group.kg_co2e = (group.kg_co2e ?? 0) + slot.kwh * Number(factor.kg_co2e_per_kwh);
    else group.kwh_without_factor += slot.kwh;
    groups.set(key, group);
  }
  return [...groups.values()].sort(byFields('site_id', 'month'));
}

describe('carbon_emissions', () => {
  it('multiplies each local day by the factor of its region valid that day, as the reference does', async () => {
    const rows = await golden.run('carbon_emissions', { start_date: '2025-09-01', end_date: '2026-11-30' });
    expectRowsClose(rows, expected('2025-09-01', '2026-11-30'));
  });

  it('mixes two factors in October 2026 in Stockholm (0.033 to the 24th, 0.029 from the 25th)', async () => {
    const [row] = await golden.run('carbon_emissions', { start_date: '2026-10-01', end_date: '2026-10-31', site_id: 'site-sto' });
    const kgPerKwh = (row!.kg_co2e as number) / (row!.kwh as number);
    expect(kgPerKwh).toBeGreaterThan(0.029);
    expect(kgPerKwh).toBeLessThan(0.033);
  });

  it('counts energy of a site without a region apart instead of pricing it at zero', async () => {
    const rows = await golden.run('carbon_emissions', { start_date: '2026-03-01', end_date: '2026-03-31', site_id: 'site-lab' });
    expectRowsClose(rows, [{ site_id: 'site-lab', region: null, month: '2026-03-01', kwh: 8, kg_co2e: null, kwh_without_factor: 8 }]);
  });
});
