import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { byDevice, byFields, localDayMs, localTime, median } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

function expected(start: string, end: string) {
  const { unique, intervals, slots, timezoneOf } = golden.reference;
  const rows = new Map<string, { site_id: string; device_id: string; day: string; readings: number; gaps: Set<number>; gapMs: number; last: number | null }>();
  const row = (site: string, device: string, day: string) => {
    const key = `${site}|${device}|${day}`;
    const r = rows.get(key) ?? { site_id: site, device_id: device, day, readings: 0, gaps: new Set<number>(), gapMs: 0, last: null };
    rows.set(key, r);
    return r;
  };
  const cadence = new Map([...byDevice(unique).keys()].map((d) => [d, median(intervals.filter((i) => i.deviceId === d).map((i) => i.endMs - i.startMs))]));
  for (const r of unique) {
    const day = localTime(r.tsMs, timezoneOf(r.siteId)).day;
    if (day < start || day > end) continue;
    const target = row(r.siteId, r.deviceId, day);
    target.readings++;
    target.last = Math.max(target.last ?? 0, r.tsMs);
  }
  for (const s of slots) {
    if (s.local.day < start || s.local.day > end) continue;
    const target = row(s.siteId, s.deviceId, s.local.day);
    if (s.interval.endMs - s.interval.startMs > 3 * cadence.get(s.deviceId)!) {
      target.gaps.add(s.interval.startMs);
      target.gapMs += s.overlapMs;
    }
  }
  return [...rows.values()].map((r) => {
    const expectedReadings = localDayMs(r.day, timezoneOf(r.site_id)) / cadence.get(r.device_id)!;
    return {
      site_id: r.site_id, device_id: r.device_id, day: r.day, readings: r.readings,
      expected: expectedReadings, completeness_pct: (100 * r.readings) / expectedReadings,
      gaps: r.gaps.size, gap_minutes: r.gapMs / 60_000, last_seen: r.last === null ? null : new Date(r.last).toISOString(),
    };
  }).sort(byFields('site_id', 'device_id', 'day'));
}

describe('data_completeness', () => {
  it('gives readings, expected readings, completeness, gaps and last reading per device and local day, as the reference does', async () => {
    const rows = await golden.run('data_completeness', { start_date: '2026-01-01', end_date: '2026-11-30' });
    expectRowsClose(rows, expected('2026-01-01', '2026-11-30'));
  });

  it('expects 92 and 100 quarter-hour readings on the 23- and 25-hour days and finds them all', async () => {
    const rows = await golden.run('data_completeness', { start_date: '2026-03-29', end_date: '2026-10-25', site_id: 'site-sto' });
    const main = (d: string) => rows.find((r) => r.device_id === 'sto-main' && r.day === d)!;
    expect([main('2026-03-29').expected, main('2026-03-29').readings, main('2026-03-29').completeness_pct]).toEqual([92, 92, 100]);
    expect([main('2026-10-25').expected, main('2026-10-25').readings, main('2026-10-25').completeness_pct]).toEqual([100, 100, 100]);
  });

  it('counts an interval longer than 3 median intervals as a gap, and one of exactly 3 as none', async () => {
    const rows = await golden.run('data_completeness', { start_date: '2026-03-27', end_date: '2026-03-27', site_id: 'site-sto' });
    // sto-main reads every 15 minutes; on 27 March it misses 1, 2 and 3 readings in a row.
    expect(rows.find((r) => r.device_id === 'sto-main')).toMatchObject({ device_id: 'sto-main', readings: 96 - 6, expected: 96, gaps: 1, gap_minutes: 60 });
  });

  it('reports the gap across midnight on both days it covers, and silent days inside the months-long gap', async () => {
    const rows = await golden.run('data_completeness', { start_date: '2026-03-27', end_date: '2026-05-01', site_id: 'site-sto' });
    const heat = (d: string) => rows.find((r) => r.device_id === 'sto-heat' && r.day === d)!;
    // 21:50 to 02:30 CET, read every 10 minutes: 130 minutes before midnight, 150 after.
    expect([heat('2026-03-27').gaps, heat('2026-03-27').gap_minutes]).toEqual([1, 130]);
    expect([heat('2026-03-28').gaps, heat('2026-03-28').gap_minutes]).toEqual([1, 150]);
    expect(heat('2026-04-15')).toMatchObject({ readings: 0, completeness_pct: 0, gaps: 1, gap_minutes: 1440, last_seen: null });
  });
});
