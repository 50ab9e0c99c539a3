import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lakeVersion } from '../../../../infra/local/dashboard/lake-version.ts';
import { curatedReadingsKey, referenceKey } from '../../../../pipeline/storage/keys.ts';
import { createTestLake, type TestLake } from '../../../helpers/lake.ts';

let lake: TestLake;
beforeEach(async () => { lake = await createTestLake(); });
afterEach(async () => { await lake.dispose(); });

const bytes = (text: string) => new TextEncoder().encode(text);

describe('lakeVersion', () => {
  it('stays the same while nothing lands, including raw objects the converter has not turned into Parquet', async () => {
    await lake.store.put(curatedReadingsKey('2026-03-28', 'a.parquet'), bytes('x'));
    const before = await lakeVersion(lake.root);
    await lake.store.put('raw/readings/dt=2026-03-28/raw-1.gz', bytes('y'));
    expect(await lakeVersion(lake.root)).toBe(before);
  });

  it('changes when a file lands in an existing partition, a new partition appears, or a file is deleted', async () => {
    await lake.store.put(curatedReadingsKey('2026-03-28', 'a.parquet'), bytes('x'));
    const versions = [await lakeVersion(lake.root)];
    await lake.store.put(curatedReadingsKey('2026-03-28', 'b.parquet'), bytes('x'));
    versions.push(await lakeVersion(lake.root));
    await lake.store.put(curatedReadingsKey('2026-03-29', 'c.parquet'), bytes('x'));
    versions.push(await lakeVersion(lake.root));
    await lake.store.delete(curatedReadingsKey('2026-03-28', 'a.parquet'));
    versions.push(await lakeVersion(lake.root));
    expect(new Set(versions).size).toBe(4);
  });

  it('changes when a reference table is replaced', async () => {
    await lake.store.put(referenceKey('sites'), bytes('site_id\n'));
    const before = await lakeVersion(lake.root);
    await lake.store.put(referenceKey('sites'), bytes('site_id\nsite-sto\n'));
    expect(await lakeVersion(lake.root)).not.toBe(before);
  });
});
