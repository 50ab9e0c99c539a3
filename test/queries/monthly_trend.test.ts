import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { byFields, sumBy } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

const shiftMonth = (month: string, by: number): string => {
  const d = new Date(`${month}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + by);
  return d.toISOString().slice(0, 10);
};
const change = (now: number, before: number | undefined): number | null => (before === undefined || before === 0 ? null : (100 * (now - before)) / before);

function expected(startMonth: string, endDay: string) {
  const monthly = sumBy(golden.reference.slots, (s) => `${s.siteId}|${s.local.month}`, (s) => s.kwh);
  return [...monthly].map(([key, kwh]) => {
    const [site_id, month] = key.split('|') as [string, string];
    const previousMonth = monthly.get(`${site_id}|${shiftMonth(month, -1)}`);
    const previousYear = monthly.get(`${site_id}|${shiftMonth(month, -12)}`);
    return {
      site_id, month, kwh,
      previous_month_kwh: previousMonth ?? null, mom_change_pct: change(kwh, previousMonth),
      previous_year_kwh: previousYear ?? null, yoy_change_pct: change(kwh, previousYear),
    };
  }).filter((r) => r.month >= startMonth && r.month <= endDay).sort(byFields('site_id', 'month'));
}

describe('monthly_trend', () => {
  it('gives kWh per site and local month with month-over-month and year-over-year change, as the reference does', async () => {
    const rows = await golden.run('monthly_trend', { start_date: '2025-09-15', end_date: '2026-11-30' });
    const want = expected('2025-09-01', '2026-11-30');
    expectRowsClose(rows, want);
    // The backbone covers September 2025 to November 2026: year-over-year exists from September 2026.
    expect(want.filter((r) => r.site_id === 'site-sto' && r.yoy_change_pct !== null).map((r) => r.month)).toEqual(['2026-09-01', '2026-10-01', '2026-11-01']);
  });

  it('compares with months before the listed range', async () => {
    const rows = await golden.run('monthly_trend', { start_date: '2026-10-01', end_date: '2026-10-31', site_id: 'site-sto' });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.previous_month_kwh).not.toBeNull();
    expect(rows[0]!.previous_year_kwh).not.toBeNull();
    expectRowsClose(rows, expected('2026-10-01', '2026-10-31').filter((r) => r.site_id === 'site-sto'));
  });
});
