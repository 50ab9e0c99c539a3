import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { byFields, sumBy } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

const daysBefore = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

function scored(start: string, end: string) {
  // Daily kWh to 1e-9, as the query rounds them: equal days are then exactly equal.
  const daily = new Map([...sumBy(golden.reference.slots, (s) => `${s.siteId}|${s.local.day}`, (s) => s.kwh)].map(([key, kwh]) => [key, Math.round(kwh * 1e9) / 1e9]));
  const out = [];
  for (const [key, kwh] of daily) {
    const [site_id, day] = key.split('|') as [string, string];
    if (day < start || day > end) continue;
    const baseline = [7, 14, 21, 28].map((n) => daily.get(`${site_id}|${daysBefore(day, n)}`)).filter((v): v is number => v !== undefined);
    if (baseline.length !== 4) continue;
    const mean = baseline.reduce((a, b) => a + b, 0) / 4;
    const sd = Math.sqrt(baseline.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    if (sd === 0) continue;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
    out.push({ site_id, day, weekday, kwh, baseline_kwh: mean, baseline_stddev_kwh: sd, z_score: (kwh - mean) / sd });
  }
  return out.sort(byFields('site_id', 'day'));
}

describe('consumption_anomalies', () => {
  it('flags the days whose z-score against the same weekday of the four weeks before exceeds the threshold, as the reference does', async () => {
    const rows = await golden.run('consumption_anomalies', { start_date: '2026-01-01', end_date: '2026-11-30' });
    const all = scored('2026-01-01', '2026-11-30');
    // No score sits on the threshold, where rounding could flip the answer.
    expect(all.every((r) => Math.abs(Math.abs(r.z_score) - 3) > 1e-6)).toBe(true);
    expectRowsClose(rows, all.filter((r) => Math.abs(r.z_score) > 3));
  });

  it('flags 10 February 2026 in New York, the day that drew an extra one and a half Tuesdays', async () => {
    const rows = await golden.run('consumption_anomalies', { start_date: '2026-02-09', end_date: '2026-02-15', site_id: 'site-nyc' });
    const day = rows.find((r) => r.day === '2026-02-10');
    expect(day?.weekday).toBe(2);
    expect(day?.z_score as number).toBeGreaterThan(3);
  });

  it('flags fewer days at a higher threshold', async () => {
    const loose = await golden.run('consumption_anomalies', { start_date: '2026-01-01', end_date: '2026-11-30', z_threshold: '2' });
    const strict = await golden.run('consumption_anomalies', { start_date: '2026-01-01', end_date: '2026-11-30', z_threshold: '10' });
    expect(loose.length).toBeGreaterThan(strict.length);
    expectRowsClose(strict, scored('2026-01-01', '2026-11-30').filter((r) => Math.abs(r.z_score) > 10));
  });

  it('refuses a z_threshold that is not a number', async () => {
    await expect(golden.run('consumption_anomalies', { start_date: '2026-01-01', end_date: '2026-01-31', z_threshold: 'high' })).rejects.toThrow(/z_threshold must be a number, got "high"/);
  });
});
