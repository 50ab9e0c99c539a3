import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_NAME, referenceCsvTable, referenceViewSql } from '../../../infra/aws/catalog.ts';
import { createLakeViews } from '../../../pipeline/query/catalog.ts';
import { pathLiteral } from '../../../pipeline/query/duckdb.ts';
import { plainRows } from '../../../pipeline/query/rows.ts';
import { toDuckDbSql } from '../../../pipeline/query/trino-compat.ts';
import { installReferenceTable } from '../../../pipeline/reference/install.ts';
import { referenceKey, rollupPrefix } from '../../../pipeline/storage/keys.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { PARTITION_COLUMN, READING_COLUMNS, REJECTED_COLUMNS } from '../../../pipeline/schema/readings.ts';
import { REFERENCE_TABLE_NAMES, REFERENCE_TABLES } from '../../../pipeline/schema/reference.ts';
import { ROLLUP_TABLE_NAMES, ROLLUP_TABLES } from '../../../pipeline/schema/rollup.ts';
import { glueColumns } from '../../../pipeline/schema/types.ts';
import { resourcesOf, synthesized } from './synth.ts';

const { template } = synthesized();
/** `glueColumns` as CloudFormation spells the keys. */
const cfn = (columns: ReturnType<typeof glueColumns>): unknown[] => columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment }));
type TableInput = { Name: string; Description?: string; Parameters: Record<string, unknown>; PartitionKeys?: unknown; StorageDescriptor: Record<string, unknown> & { Columns: unknown; SerdeInfo: { SerializationLibrary: string } } };
const tables = new Map(resourcesOf(template, 'AWS::Glue::Table').map(([, t]) => {
  const input = t.Properties.TableInput as TableInput;
  return [input.Name, { database: t.Properties.DatabaseName, input }];
}));
const table = (name: string): TableInput => {
  const found = tables.get(name);
  if (!found) throw new Error(`no Glue table ${name}`);
  return found.input;
};
/** The location, with the bucket token's logical ID hidden. */
const location = (name: string): string => JSON.stringify(table(name).StorageDescriptor.Location).replace(/\{"Ref":"LakeBucket\w+"\}/, '<bucket>');

describe('Glue catalog', () => {
  it('puts every table in the energy_lake database', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: DATABASE_NAME } });
    expect([...tables.values()].every((t) => t.database === DATABASE_NAME)).toBe(true);
    expect([...tables.keys()].sort()).toEqual(['readings', 'readings_raw', 'rejected_readings', ...REFERENCE_TABLE_NAMES.map(referenceCsvTable), ...ROLLUP_TABLE_NAMES].sort());
  });

  it('gives readings and rejected_readings exactly the schema\'s columns, over curated Parquet', () => {
    expect(table('readings').StorageDescriptor.Columns).toEqual(cfn(glueColumns(READING_COLUMNS)));
    expect(table('rejected_readings').StorageDescriptor.Columns).toEqual(cfn(glueColumns(REJECTED_COLUMNS)));
    expect(table('readings').StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(location('readings')).toContain('/curated/readings/');
    expect(location('rejected_readings')).toContain('/curated/rejected_readings/');
  });

  it('projects the dt partition, so no crawler or MSCK REPAIR is needed', () => {
    const partitionedRollup = ROLLUP_TABLE_NAMES.filter((name) => ROLLUP_TABLES[name].partition !== null);
    expect(partitionedRollup).toHaveLength(4);
    for (const name of ['readings', 'rejected_readings', 'readings_raw', ...partitionedRollup]) {
      expect(table(name).PartitionKeys).toEqual(cfn(glueColumns([PARTITION_COLUMN])));
      expect(table(name).Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date', 'projection.dt.format': 'yyyy-MM-dd' });
      expect(JSON.stringify(table(name).Parameters['storage.location.template'])).toContain('dt=${dt}/');
    }
    for (const name of partitionedRollup) {
      expect(table(name).Parameters).toEqual(expect.objectContaining({ 'projection.dt.range': table('readings').Parameters['projection.dt.range'] }));
      expect(JSON.stringify(table(name).Parameters['storage.location.template'])).toContain(`/${rollupPrefix(name)}dt=\${dt}/"`);
    }
  });

  it('catalogs each rollup table from pipeline/schema/rollup.ts: its columns and description, Parquet under rollup/<folder>/', () => {
    for (const name of ROLLUP_TABLE_NAMES) {
      const t = table(name);
      expect(t.Description, name).toBe(ROLLUP_TABLES[name].description);
      expect(t.StorageDescriptor.Columns, name).toEqual(cfn(glueColumns(ROLLUP_TABLES[name].columns)));
      expect(t.StorageDescriptor.SerdeInfo.SerializationLibrary, name).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
      expect(t.Parameters.classification, name).toBe('parquet');
      // The exact folder, so a table cannot also read a sibling rollup table's files.
      expect(location(name), name).toContain(`"/${rollupPrefix(name)}"`);
    }
    expect(location('interval_slots_closed')).toContain('"/rollup/interval_slots/"');
    expect(location('rollup_anchors')).toContain('"/rollup/anchors/"');
  });

  it('types the rollup\'s calendar columns as Glue dates, registers as decimals and times as timestamps', () => {
    const types = (name: string): Record<string, string> =>
      Object.fromEntries((table(name).StorageDescriptor.Columns as { Name: string; Type: string }[]).map((c) => [c.Name, c.Type]));
    expect(types('interval_slots_closed')).toMatchObject({ local_day: 'date', local_month: 'date', slot_start: 'timestamp', kwh: 'double', local_hour: 'bigint' });
    expect(types('local_readings_closed')).toMatchObject({ local_day: 'date', energy_import_kwh: 'decimal(18,3)', ts: 'timestamp' });
    expect(types('rollup_anchors')).toMatchObject({ closed_until: 'timestamp', energy_import_kwh: 'decimal(18,3)' });
  });

  it('reads rollup_anchors as one unpartitioned file (the watermark with each device\'s last closed reading)', () => {
    const anchors = table('rollup_anchors');
    expect(ROLLUP_TABLES.rollup_anchors.partition).toBeNull();
    expect(anchors.PartitionKeys).toBeUndefined();
    expect(Object.keys(anchors.Parameters).filter((k) => k.startsWith('projection.') || k === 'storage.location.template')).toEqual([]);
  });

  it('reads the raw zone as JSON lines with epoch-millisecond timestamps, for replay', () => {
    const raw = table('readings_raw');
    expect(raw.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(raw.StorageDescriptor.Columns).toContainEqual(expect.objectContaining({ Name: 'ts', Type: 'bigint' }));
    expect(raw.StorageDescriptor.Columns).toContainEqual(expect.objectContaining({ Name: 'reason', Type: 'string' }));
    expect(location('readings_raw')).toContain('/raw/readings/');
  });

  it('reads each reference CSV with a header row, every column as text (OpenCSVSerDe cannot read ISO dates or empty numbers)', () => {
    for (const name of REFERENCE_TABLE_NAMES) {
      const t = table(referenceCsvTable(name));
      expect(t.StorageDescriptor.Columns).toEqual(cfn(glueColumns(REFERENCE_TABLES[name]).map((c) => ({ ...c, type: 'string' }))));
      expect(t.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.serde2.OpenCSVSerde');
      expect(t.Parameters['skip.header.line.count']).toBe('1');
      // NULL-for-invalid would hide a date the SerDe cannot parse as NULL; the view casts instead.
      expect(t.Parameters['use.null.for.invalid.data']).toBeUndefined();
      expect(location(referenceCsvTable(name))).toContain(`/reference/${name}/`);
    }
  });
});

describe('typed reference views (Athena)', () => {
  const examples = fileURLToPath(new URL('../../../examples/reference/', import.meta.url));
  let lake: TestLake;

  beforeAll(async () => {
    lake = await createTestLake();
    for (const name of REFERENCE_TABLE_NAMES) await installReferenceTable({ store: lake.store, table: name, body: readFileSync(join(examples, `${name}.csv`)) });
  });
  afterAll(() => lake.dispose());

  it('cast the shipped CSVs to exactly the rows and types the twin reads (empty cells NULL, ISO dates as dates)', async () => {
    const connection = await lake.duckdb.connect();
    try {
      await createLakeViews(connection, lake.root);
      for (const name of REFERENCE_TABLE_NAMES) {
        const file = join(lake.root, ...referenceKey(name).split('/'));
        // What OpenCSVSerDe hands Athena for the all-string Glue table: every cell as text, an empty cell as ''.
        await connection.run(`CREATE OR REPLACE TABLE ${referenceCsvTable(name)} AS SELECT * FROM read_csv(${pathLiteral(file)}, header = true, all_varchar = true, quote = '"', escape = '"', nullstr = '<never null>')`);
        const empties = await connection.runAndReadAll(`SELECT count(*) FROM ${referenceCsvTable(name)} WHERE ${REFERENCE_TABLES[name].map((c) => `${c.name} = ''`).join(' OR ')}`);
        const view = await connection.runAndReadAll(toDuckDbSql(referenceViewSql(name)));
        const twin = await connection.runAndReadAll(`SELECT * FROM ${name}`);
        expect(plainRows(view), name).toEqual(plainRows(twin));
        expect(view.columnTypes().map(String), name).toEqual(twin.columnTypes().map(String));
        if (name !== 'tariffs') expect(Number(empties.getRows()[0]![0]), `${name} has empty cells to cast`).toBeGreaterThan(0);
      }
    } finally {
      connection.closeSync();
    }
  });
});
