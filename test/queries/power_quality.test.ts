import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGoldenLake, type GoldenLake } from '../helpers/golden-lake.ts';
import { byDevice, byFields, localTime, median } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

function expected(start: string, end: string, low = 207, high = 253) {
  const { unique, intervals, timezoneOf } = golden.reference;
  const groups = new Map<string, Record<string, string | number>>();
  for (const [device, readings] of byDevice(unique)) {
    const cadence = median(intervals.filter((i) => i.deviceId === device).map((i) => i.endMs - i.startMs));
    readings.forEach((r, i) => {
      const day = localTime(r.tsMs, timezoneOf(r.siteId)).day;
      if (r.voltage === null || day < start || day > end) return;
      const weight = Math.min(i === 0 ? cadence : r.tsMs - readings[i - 1]!.tsMs, cadence);
      const key = `${r.siteId}|${device}|${day}`;
      const g = groups.get(key) ?? { site_id: r.siteId, device_id: device, day, readings: 0, under_voltage: 0, over_voltage: 0, out_of_band: 0, minutes_out_of_band: 0, min_voltage_v: Infinity, max_voltage_v: -Infinity };
      const [under, over] = [r.voltage < low, r.voltage > high];
      g.readings = (g.readings as number) + 1;
      g.under_voltage = (g.under_voltage as number) + Number(under);
      g.over_voltage = (g.over_voltage as number) + Number(over);
      g.out_of_band = (g.out_of_band as number) + Number(under || over);
      g.minutes_out_of_band = (g.minutes_out_of_band as number) + (under || over ? weight / 60_000 : 0);
      g.min_voltage_v = Math.min(g.min_voltage_v as number, r.voltage);
      g.max_voltage_v = Math.max(g.max_voltage_v as number, r.voltage);
      groups.set(key, g);
    });
  }
  return [...groups.values()].sort(byFields('site_id', 'device_id', 'day'));
}

describe('power_quality', () => {
  it('counts readings and minutes outside 230 V +-10 % per device and local day, as the reference does', async () => {
    const rows = await golden.run('power_quality', { start_date: '2026-01-01', end_date: '2026-11-30' });
    expectRowsClose(rows, expected('2026-01-01', '2026-11-30'));
  });

  it('keeps 207.0 V and 253.0 V inside the band and flags 206.9 V, 253.1 V and a 180 V sag', async () => {
    const rows = await golden.run('power_quality', { start_date: '2026-03-28', end_date: '2026-03-29', site_id: 'site-sto' });
    const day = (d: string) => rows.find((r) => r.device_id === 'sto-main' && r.day === d)!;
    // 28 March: 206.9 (under) and 253.1 (over), each standing for one 15-minute interval.
    expect([day('2026-03-28').under_voltage, day('2026-03-28').over_voltage, day('2026-03-28').minutes_out_of_band]).toEqual([1, 1, 30]);
    // 29 March 00:45Z = 01:45 CET, the night of the clock change.
    expect([day('2026-03-29').under_voltage, day('2026-03-29').min_voltage_v]).toEqual([1, 180]);
  });

  it('uses the nominal voltage and tolerance given', async () => {
    const rows = await golden.run('power_quality', { start_date: '2026-03-08', end_date: '2026-03-08', site_id: 'site-nyc', nominal_voltage: '220', tolerance_pct: '5' });
    expectRowsClose(rows, expected('2026-03-08', '2026-03-08', 209, 231).filter((r) => r.site_id === 'site-nyc'));
  });
});
