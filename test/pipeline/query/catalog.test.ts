import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installReferenceTable } from '../../../pipeline/reference/install.ts';
import { REFERENCE_TABLE_NAMES, REFERENCE_TABLES } from '../../../pipeline/schema/reference.ts';
import { duckdbType } from '../../../pipeline/schema/types.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';

const example = (table: string): string => readFileSync(new URL(`../../../examples/reference/${table}.csv`, import.meta.url), 'utf8');

describe('createLakeViews: reference tables', () => {
  let lake: TestLake;
  beforeEach(async () => { lake = await createTestLake(); });
  afterEach(async () => { await lake.dispose(); });

  const columnTypes = (table: string) => lake.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`);
  const expectedTypes = (table: (typeof REFERENCE_TABLE_NAMES)[number]) => REFERENCE_TABLES[table].map((c) => ({ column_name: c.name, data_type: duckdbType(c.type) }));

  it.each(REFERENCE_TABLE_NAMES)('gives %s its schema columns and types, empty until a table is loaded', async (table) => {
    expect(await columnTypes(table)).toEqual(expectedTypes(table));
    expect(await lake.query(`SELECT count(*)::INT AS n FROM ${table}`)).toEqual([{ n: 0 }]);
  });

  it.each(REFERENCE_TABLE_NAMES)('reads the installed %s CSV with the schema types', async (table) => {
    await installReferenceTable({ store: lake.store, table, body: example(table) });
    expect(await columnTypes(table)).toEqual(expectedTypes(table));
    expect((await lake.query(`SELECT count(*)::INT AS n FROM ${table}`))[0]?.n).toBeGreaterThan(0);
  });

  it('reads dates as dates, empty cells as NULL and numbers as numbers', async () => {
    await installReferenceTable({ store: lake.store, table: 'emission_factors', body: 'region,valid_from,valid_to,kg_co2e_per_kwh\nSE3,2025-01-01,2025-12-31,0.036\nSE3,2026-01-01,,0.033\n' });
    const rows = await lake.query("SELECT valid_from, date_diff('day', valid_from, valid_to) AS days, kg_co2e_per_kwh * 1000 AS g FROM emission_factors ORDER BY valid_from");
    expect(rows).toEqual([
      { valid_from: '2025-01-01', days: 364, g: 36 },
      { valid_from: '2026-01-01', days: null, g: 33 },
    ]);
  });

  it('keeps quoted commas and non-ASCII names intact', async () => {
    await installReferenceTable({ store: lake.store, table: 'sites', body: 'site_id,name,timezone\nsite-02,"Malmö office, floor 2",Europe/Stockholm\n' });
    expect(await lake.query('SELECT site_id, name, timezone, tariff_id FROM sites')).toEqual([
      { site_id: 'site-02', name: 'Malmö office, floor 2', timezone: 'Europe/Stockholm', tariff_id: null },
    ]);
  });
});
