import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installReferenceTable } from '../../pipeline/reference/install.ts';
import { FolderStore } from '../../pipeline/storage/folder-store.ts';
import { openGoldenLake, referenceFixture, referenceRows, type GoldenLake } from '../helpers/golden-lake.ts';
import { byFields, type RefSlotShare } from '../helpers/metering-reference.ts';
import { expectRowsClose } from '../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The band pricing a slot: the site's tariff version valid on the local day, matching weekday and time of day. */
const SITES = referenceRows('sites');
const TARIFFS = referenceRows('tariffs');

function bandOf(slot: RefSlotShare): Record<string, string> | undefined {
  const tariffId = SITES.find((s) => s.site_id === slot.siteId)?.tariff_id;
  const t = slot.local.hour * 60 + slot.local.minute;
  return TARIFFS.find((b) => {
    if (b.tariff_id !== tariffId || slot.local.day < b.valid_from! || (b.valid_to && slot.local.day > b.valid_to)) return false;
    const day = b.days === 'all' || (b.days === 'mon-fri' ? slot.local.weekday <= 5 : slot.local.weekday >= 6);
    const [from, to] = [minutes(b.start_local!), minutes(b.end_local!)];
    return day && (from < to ? t >= from && t < to : t >= from || t < to);
  });
}

function expected(start: string, end: string) {
  const groups = new Map<string, { site_id: string; month: string; band: string | null; currency: string | null; kwh: number; cost: number | null }>();
  for (const slot of golden.reference.slots.filter((s) => s.local.day >= start && s.local.day <= end)) {
    const band = bandOf(slot);
    const key = `${slot.siteId}|${slot.local.month}|${band?.band}|${band?.currency}`;
    const group = groups.get(key) ?? { site_id: slot.siteId, month: slot.local.month, band: band?.band ?? null, currency: band?.currency ?? null, kwh: 0, cost: band ? 0 : null };
    group.kwh += slot.kwh;
    if (band) group.cost! += slot.kwh * Number(band.price_per_kwh);
    groups.set(key, group);
  }
  return [...groups.values()].sort(byFields('site_id', 'month', 'band', 'currency'));
}

describe('time_of_use_cost', () => {
  it('prices each slot by the tariff band covering its local time and weekday, as the reference does', async () => {
    const rows = await golden.run('time_of_use_cost', { start_date: '2025-09-01', end_date: '2026-11-30' });
    expectRowsClose(rows, expected('2025-09-01', '2026-11-30'));
  });

  it('uses the tariff version valid on each local day (new Stockholm prices from July 2026)', async () => {
    const june = await golden.run('time_of_use_cost', { start_date: '2026-06-01', end_date: '2026-06-30', site_id: 'site-sto' });
    const july = await golden.run('time_of_use_cost', { start_date: '2026-07-01', end_date: '2026-07-31', site_id: 'site-sto' });
    expect(june.map((r) => r.band)).toEqual(['off_peak', 'peak', 'shoulder']);
    expect(july.map((r) => r.band)).toEqual(['off_peak', 'peak']);
    const price = (rows: typeof june, band: string) => (rows.find((r) => r.band === band)!.cost as number) / (rows.find((r) => r.band === band)!.kwh as number);
    expect(price(june, 'peak')).toBeCloseTo(1.65, 12);
    expect(price(july, 'peak')).toBeCloseTo(1.48, 12);
  });

  it('splits the bands exactly over a whole day: kWh of all bands add up to the day', async () => {
    const rows = await golden.run('time_of_use_cost', { start_date: '2026-03-06', end_date: '2026-03-06', site_id: 'site-nyc' });
    const day = golden.reference.slots.filter((s) => s.siteId === 'site-nyc' && s.local.day === '2026-03-06').reduce((a, s) => a + s.kwh, 0);
    expect(rows.map((r) => r.band)).toEqual(['off_peak', 'peak']);
    expect(rows.reduce((a, r) => a + (r.kwh as number), 0)).toBeCloseTo(day, 9);
  });

  it('lists consumption of a site without a tariff with band and cost NULL', async () => {
    const rows = await golden.run('time_of_use_cost', { start_date: '2026-03-01', end_date: '2026-03-31', site_id: 'site-lab' });
    expectRowsClose(rows, [{ site_id: 'site-lab', month: '2026-03-01', band: null, currency: null, kwh: 8, cost: null }]);
  });

  it('can price by slot start because band edges are on the 15-minute grid, which loading a tariff enforces', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wattlake-tariff-'));
    try {
      const offGrid = referenceFixture('tariffs').replace('us-tou,peak,mon-fri,14:00,19:00', 'us-tou,peak,mon-fri,14:10,19:00').replace('us-tou,off_peak,mon-fri,19:00,14:00', 'us-tou,off_peak,mon-fri,19:00,14:10');
      const result = await installReferenceTable({ store: new FolderStore(dir), table: 'tariffs', body: offGrid });
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).toContain('15-minute boundary');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
