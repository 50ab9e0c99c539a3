import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { danglingReferences, installReferenceTable, readReferenceTable } from '../../../pipeline/reference/install.ts';
import { referenceKey } from '../../../pipeline/storage/keys.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';

const SITES = 'site_id,name,timezone,tariff_id,region,contracted_capacity_kw\nsite-01,Vasastan apartments,Europe/Stockholm,se-tou,SE3,63\n';
const TARIFFS = 'tariff_id,band,days,start_local,end_local,price_per_kwh,currency,valid_from,valid_to\nus-flat,flat,all,00:00,24:00,0.2315,USD,2026-01-01,\n';
const FACTORS = 'region,valid_from,valid_to,kg_co2e_per_kwh\nSE3,2026-01-01,,0.033\n';

describe('installReferenceTable', () => {
  let lake: TestLake;
  beforeEach(async () => { lake = await createTestLake(); });
  afterEach(async () => { await lake.dispose(); });

  it('stores a valid file as the canonical CSV under reference/<table>/<table>.csv', async () => {
    const result = await installReferenceTable({ store: lake.store, table: 'sites', body: 'timezone,name,site_id\nUTC,Test bench,site-04\n' });
    expect(result).toMatchObject({ ok: true, key: 'reference/sites/sites.csv' });
    expect(new TextDecoder().decode(await lake.store.get(referenceKey('sites'))))
      .toBe('site_id,name,timezone,tariff_id,region,contracted_capacity_kw\nsite-04,Test bench,UTC,,,\n');
  });

  it('replaces the installed table whole', async () => {
    await installReferenceTable({ store: lake.store, table: 'sites', body: SITES });
    await installReferenceTable({ store: lake.store, table: 'sites', body: 'site_id,name,timezone\nsite-04,Test bench,UTC\n' });
    expect((await readReferenceTable(lake.store, 'sites'))?.map((r) => r.values.site_id)).toEqual(['site-04']);
  });

  it('changes nothing when the file is invalid', async () => {
    await installReferenceTable({ store: lake.store, table: 'sites', body: SITES });
    const before = await lake.store.get(referenceKey('sites'));
    const result = await installReferenceTable({ store: lake.store, table: 'sites', body: 'site_id,name,timezone\nsite-04,Test bench,Mars/Base\n' });
    expect(result.ok).toBe(false);
    expect(await lake.store.get(referenceKey('sites'))).toEqual(before);
    expect(await lake.store.list('reference/')).toEqual(['reference/sites/sites.csv']);
  });

  it('reads back nothing for a table never installed', async () => {
    expect(await readReferenceTable(lake.store, 'tariffs')).toBeNull();
  });
});

describe('danglingReferences', () => {
  let lake: TestLake;
  beforeEach(async () => { lake = await createTestLake(); });
  afterEach(async () => { await lake.dispose(); });

  it('names sites whose tariff or region the installed tables do not define', async () => {
    for (const [table, body] of [['sites', SITES], ['tariffs', TARIFFS], ['emission_factors', FACTORS]] as const) {
      await installReferenceTable({ store: lake.store, table, body });
    }
    expect(await danglingReferences(lake.store)).toEqual(['site site-01: tariff_id se-tou is not in tariffs']);
  });

  it('says nothing about tables not installed yet', async () => {
    await installReferenceTable({ store: lake.store, table: 'sites', body: SITES });
    expect(await danglingReferences(lake.store)).toEqual([]);
  });
});
