import { describe, expect, it } from 'vitest';
import { DATABASE_NAME } from '../../../infra/aws/catalog.ts';
import { PARTITION_COLUMN, READING_COLUMNS, REJECTED_COLUMNS } from '../../../pipeline/schema/readings.ts';
import { REFERENCE_TABLE_NAMES, REFERENCE_TABLES } from '../../../pipeline/schema/reference.ts';
import { glueColumns } from '../../../pipeline/schema/types.ts';
import { resourcesOf, synthesized } from './synth.ts';

const { template } = synthesized();
/** `glueColumns` as CloudFormation spells the keys. */
const cfn = (columns: ReturnType<typeof glueColumns>): unknown[] => columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment }));
type TableInput = { Name: string; Parameters: Record<string, unknown>; PartitionKeys?: unknown; StorageDescriptor: Record<string, unknown> & { Columns: unknown; SerdeInfo: { SerializationLibrary: string } } };
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
    expect([...tables.keys()].sort()).toEqual(['readings', 'readings_raw', 'rejected_readings', ...REFERENCE_TABLE_NAMES].sort());
  });

  it('gives readings and rejected_readings exactly the schema\'s columns, over curated Parquet', () => {
    expect(table('readings').StorageDescriptor.Columns).toEqual(cfn(glueColumns(READING_COLUMNS)));
    expect(table('rejected_readings').StorageDescriptor.Columns).toEqual(cfn(glueColumns(REJECTED_COLUMNS)));
    expect(table('readings').StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(location('readings')).toContain('/curated/readings/');
    expect(location('rejected_readings')).toContain('/curated/rejected_readings/');
  });

  it('projects the dt partition, so no crawler or MSCK REPAIR is needed', () => {
    for (const name of ['readings', 'rejected_readings', 'readings_raw']) {
      expect(table(name).PartitionKeys).toEqual(cfn(glueColumns([PARTITION_COLUMN])));
      expect(table(name).Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date', 'projection.dt.format': 'yyyy-MM-dd' });
      expect(JSON.stringify(table(name).Parameters['storage.location.template'])).toContain('dt=${dt}/');
    }
  });

  it('reads the raw zone as JSON lines with epoch-millisecond timestamps, for replay', () => {
    const raw = table('readings_raw');
    expect(raw.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(raw.StorageDescriptor.Columns).toContainEqual(expect.objectContaining({ Name: 'ts', Type: 'bigint' }));
    expect(raw.StorageDescriptor.Columns).toContainEqual(expect.objectContaining({ Name: 'reason', Type: 'string' }));
    expect(location('readings_raw')).toContain('/raw/readings/');
  });

  it('reads each reference table as CSV with a header row, with the schema\'s columns', () => {
    for (const name of REFERENCE_TABLE_NAMES) {
      const t = table(name);
      expect(t.StorageDescriptor.Columns).toEqual(cfn(glueColumns(REFERENCE_TABLES[name])));
      expect(t.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.serde2.OpenCSVSerde');
      expect(t.Parameters['skip.header.line.count']).toBe('1');
      expect(location(name)).toContain(`/reference/${name}/`);
    }
  });
});
