import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, referenceRows, type GoldenLake } from '../helpers/golden-lake.ts';
import { byFields, siteSlots, type RefSiteSlot } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

function expected(start: string, end: string) {
  const slots = siteSlots(golden.reference.slots.filter((s) => s.local.day >= start && s.local.day <= end));
  const peaks = new Map<string, RefSiteSlot>();
  // Demand to 1e-9 kW, as the query rounds it: equal slots tie, and the earliest wins.
  const demand = (slot: RefSiteSlot): number => Math.round(slot.kwh * 4 * 1e9) / 1e9;
  for (const slot of slots) {
    const key = `${slot.siteId}|${slot.local.month}`;
    const best = peaks.get(key);
    if (!best || demand(slot) > demand(best) || (demand(slot) === demand(best) && slot.slotStartMs < best.slotStartMs)) peaks.set(key, slot);
  }
  const capacity = new Map(referenceRows('sites').map((s) => [s.site_id, Number(s.contracted_capacity_kw)]));
  return [...peaks.values()].map((p) => {
    const cap = capacity.get(p.siteId) ?? null;
    const peak = demand(p);
    return {
      site_id: p.siteId, month: p.local.month, peak_kw: peak,
      peak_slot_start_local: p.local.wallClock, peak_slot_start_utc: new Date(p.slotStartMs).toISOString(),
      contracted_capacity_kw: cap, capacity_used_pct: cap === null ? null : (100 * peak) / cap, exceeds_capacity: cap === null ? null : peak > cap,
    };
  }).sort(byFields('site_id', 'month'));
}

describe('peak_demand', () => {
  it('finds the highest 15-minute demand of each site and month with its slot, as the reference does', async () => {
    const rows = await golden.run('peak_demand', { start_date: '2025-09-01', end_date: '2026-11-30' });
    const want = expected('2025-09-01', '2026-11-30');
    expectRowsClose(rows, want);
    expect(want.some((r) => r.exceeds_capacity === true) && want.some((r) => r.exceeds_capacity === false)).toBe(true);
  });

  it('gives the slot start in local wall-clock time and in UTC, an hour apart in Stockholm winter', async () => {
    const [row] = await golden.run('peak_demand', { start_date: '2026-03-27', end_date: '2026-03-28', site_id: 'site-sto' });
    const local = Date.parse(`${(row!.peak_slot_start_local as string).replace(' ', 'T')}:00Z`);
    expect(local - Date.parse(row!.peak_slot_start_utc as string)).toBe(3_600_000);
  });

  it('leaves capacity columns empty for a site missing from sites', async () => {
    const rows = await golden.run('peak_demand', { start_date: '2026-03-07', end_date: '2026-03-08', site_id: 'site-lab' });
    // lab-1: 8 kWh over 8 hours is a constant 1 kW; the first slot wins the tie.
    expect(rows).toEqual([{
      site_id: 'site-lab', month: '2026-03-01', peak_kw: 1, peak_slot_start_local: '2026-03-07 20:00', peak_slot_start_utc: '2026-03-07T20:00:00.000Z',
      contracted_capacity_kw: null, capacity_used_pct: null, exceeds_capacity: null,
    }]);
  });
});
