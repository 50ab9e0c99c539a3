// The schema is the one source of column types: the Parquet the converter writes, the DuckDB
// views and the Glue columns must all be what pipeline/schema/types.ts derives from it.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertRawObject } from '../../../pipeline/convert/converter.ts';
import { READING_COLUMNS, REJECTED_COLUMNS } from '../../../pipeline/schema/readings.ts';
import { duckdbType, glueColumns, parquetType } from '../../../pipeline/schema/types.ts';
import { rawReadingsKey } from '../../../pipeline/storage/keys.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { readParquetMetadata } from '../../helpers/parquet.ts';

const TS = Date.UTC(2026, 10, 20, 12, 0);
const accepted = { site_id: 'site-01', device_id: 'meter-0001', ts: TS, energy_import_kwh: 12.345, energy_export_kwh: 1.5, power_w: 900.5, voltage_v: 230.1, current_a: 3.9, power_factor: 0.97, frequency_hz: 50.01, seq: 4, received_at: TS + 1000 };
const rejected = { site_id: 'site-01', device_id: 'meter-0001', ts: TS, reason: 'energy_negative', detail: 'energy_import_kwh -1 < 0', payload: '{}', received_at: TS + 1000 };

describe('types derived from the reading schema', () => {
  let lake: TestLake;
  const files: { readings?: string; rejected?: string } = {};
  beforeAll(async () => {
    lake = await createTestLake();
    const key = rawReadingsKey('2026-11-20', 'types-test.gz');
    await lake.store.put(key, gzipSync(`${JSON.stringify(accepted)}\n${JSON.stringify(rejected)}\n`));
    const result = await convertRawObject({ store: lake.store, rawKey: key, duckdb: lake.duckdb });
    files.readings = lake.store.pathOf(result.readings[0]!.key);
    files.rejected = lake.store.pathOf(result.rejected[0]!.key);
  });
  afterAll(async () => { await lake.dispose(); });

  it.each([['readings', READING_COLUMNS], ['rejected', REJECTED_COLUMNS]] as const)('writes %s Parquet with the physical and logical types of the schema', async (table, columns) => {
    const metadata = await readParquetMetadata(files[table]!);
    const leaves = metadata.schema.slice(1);
    expect(leaves.map((e) => e.name)).toEqual(columns.map((c) => c.name));
    for (const column of columns) {
      const element = leaves.find((e) => e.name === column.name)!;
      const expected = parquetType(column.type);
      expect(element.type, column.name).toBe(expected.physical);
      const logical = element.logical_type as { type: string; unit?: string; precision?: number; scale?: number } | undefined;
      // Strings may be annotated the Parquet 1.0 way (converted type UTF8) instead of logical STRING.
      const spelled = logical === undefined ? (element.converted_type === 'UTF8' ? 'STRING' : undefined)
        : logical.type === 'TIMESTAMP' ? `TIMESTAMP(${logical.unit})`
          : logical.type === 'DECIMAL' ? `DECIMAL(${logical.precision},${logical.scale})` : logical.type;
      expect(spelled, column.name).toBe(expected.logical);
    }
  });

  it('exposes the DuckDB readings view with the schema types, plus the dt partition', async () => {
    const rows = await lake.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'readings' ORDER BY ordinal_position");
    expect(rows).toEqual([...READING_COLUMNS.map((c) => ({ column_name: c.name, data_type: duckdbType(c.type) })), { column_name: 'dt', data_type: 'VARCHAR' }]);
  });

  it('gives Glue one column per schema column, in order, with units in the comment', () => {
    const glue = glueColumns(READING_COLUMNS);
    expect(glue.map((c) => `${c.name} ${c.type}`)).toEqual([
      'site_id string', 'device_id string', 'ts timestamp', 'energy_import_kwh decimal(18,3)', 'energy_export_kwh decimal(18,3)',
      'power_w double', 'voltage_v double', 'current_a double', 'power_factor double', 'frequency_hz double', 'seq bigint', 'received_at timestamp',
    ]);
    expect(glue.find((c) => c.name === 'power_w')?.comment).toContain('[W]');
  });
});
