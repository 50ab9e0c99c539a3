// The example reference CSVs shipped in examples/reference/ must load as they are.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateReferenceCsv } from '../../pipeline/reference/validate.ts';
import { REFERENCE_TABLE_NAMES } from '../../pipeline/schema/reference.ts';

const example = (table: string): string => readFileSync(new URL(`../../examples/reference/${table}.csv`, import.meta.url), 'utf8');

describe('examples/reference', () => {
  it.each(REFERENCE_TABLE_NAMES)('%s.csv validates', (table) => {
    const result = validateReferenceCsv(table, example(table));
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('has sites in Stockholm, New York and UTC, each pointing at an example tariff and region', () => {
    const rows = (table: 'sites' | 'tariffs' | 'emission_factors') => { const r = validateReferenceCsv(table, example(table)); return r.ok ? r.rows.map((x) => x.values) : []; };
    const sites = rows('sites');
    expect(new Set(sites.map((s) => s.timezone))).toEqual(new Set(['Europe/Stockholm', 'America/New_York', 'UTC']));
    const tariffs = new Set(rows('tariffs').map((t) => t.tariff_id));
    const regions = new Set(rows('emission_factors').map((f) => f.region));
    for (const site of sites) {
      if (site.tariff_id !== null) expect(tariffs).toContain(site.tariff_id);
      if (site.region !== null) expect(regions).toContain(site.region);
    }
  });

  it('has a weekday/weekend time-of-use tariff with peak, shoulder and off_peak, and a flat tariff', () => {
    const result = validateReferenceCsv('tariffs', example('tariffs'));
    const bands = result.ok ? result.rows.map((r) => r.values) : [];
    const tou = bands.filter((b) => b.tariff_id === 'se-tou');
    expect(new Set(tou.map((b) => b.band))).toEqual(new Set(['peak', 'shoulder', 'off_peak']));
    expect(new Set(tou.map((b) => b.days))).toEqual(new Set(['mon-fri', 'sat-sun']));
    expect(bands.filter((b) => b.tariff_id === 'us-flat')).toEqual([expect.objectContaining({ days: 'all', start_local: '00:00', end_local: '24:00' })]);
  });

  it('has two validity periods for each emission factor region', () => {
    const result = validateReferenceCsv('emission_factors', example('emission_factors'));
    const perRegion = new Map<unknown, number>();
    for (const r of result.ok ? result.rows : []) perRegion.set(r.values.region, (perRegion.get(r.values.region) ?? 0) + 1);
    expect(perRegion.size).toBeGreaterThanOrEqual(2);
    for (const count of perRegion.values()) expect(count).toBe(2);
  });
});
