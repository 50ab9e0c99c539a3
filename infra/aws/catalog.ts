// Catalog: the Glue database `energy_lake` and its tables, generated from the pipeline's schema
// (pipeline/schema/*.ts) — the same definitions the twin's DuckDB views use. Partitions are
// projected from `dt` (no crawler, no MSCK REPAIR): a new day is queryable as soon as a file lands.
// The rollup tables (pipeline/schema/rollup.ts), which compaction writes and the shared views
// read, are catalogued the same way (rollup_anchors, one file, without partitions).
import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { PARTITION_COLUMN, READING_COLUMNS, REJECTED_COLUMNS, type Column, type ColumnType } from '../../pipeline/schema/readings.ts';
import { REFERENCE_TABLE_NAMES, REFERENCE_TABLES, type ReferenceTableName } from '../../pipeline/schema/reference.ts';
import { ROLLUP_TABLE_NAMES, ROLLUP_TABLES } from '../../pipeline/schema/rollup.ts';
import { glueColumns } from '../../pipeline/schema/types.ts';
import { LAKE_PREFIXES, rollupPrefix } from '../../pipeline/storage/keys.ts';
import type { Lake } from './lake.ts';

export const DATABASE_NAME = 'energy_lake';

/**
 * Athena's OpenCSVSerDe reads a DATE only as days since 1970 and a TIMESTAMP only as epoch
 * milliseconds, and fails on an empty cell in a numeric column; `use.null.for.invalid.data`
 * would turn our `2025-01-01` dates into silent NULLs instead. So the Glue table over each
 * reference CSV declares every column as string, and a view with the table's own name (what
 * the queries read, like the twin's DuckDB view) casts the text, an empty cell meaning NULL.
 * (LazySimpleSerDe would parse ISO dates but not quoted fields, which names may need.)
 */
export const referenceCsvTable = (name: ReferenceTableName): string => `${name}_csv`;

/** Athena (Trino) type names for CAST, by schema type. */
const ATHENA_SQL_TYPE: Record<ColumnType, string> = { string: 'varchar', double: 'double', bigint: 'bigint', timestamp: 'timestamp(3)', kwh_register: 'decimal(18,3)', date: 'date' };

/** The typed view over a reference table's text columns. */
export function referenceViewSql(name: ReferenceTableName): string {
  const columns = REFERENCE_TABLES[name].map((c) => `  CAST(NULLIF(${c.name}, '') AS ${ATHENA_SQL_TYPE[c.type]}) AS ${c.name}`);
  return `SELECT\n${columns.join(',\n')}\nFROM ${referenceCsvTable(name)}\n`;
}

/**
 * The raw zone as the transform writes it (docs/contracts.md, "Raw lines"): accepted and
 * quarantined readings in one file, timestamps as epoch ms, registers as JSON numbers. Athena
 * can replay or audit it without the converter.
 */
const rawType = (type: ColumnType): ColumnType => (type === 'timestamp' ? 'bigint' : type === 'kwh_register' ? 'double' : type);
export const RAW_COLUMNS: Column[] = [...new Map([...READING_COLUMNS, ...REJECTED_COLUMNS].map((c) => [c.name, c])).values()]
  .map((c): Column => ({ ...c, type: rawType(c.type), description: c.type === 'timestamp' ? `${c.description} Epoch milliseconds.` : c.description }));

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};
const JSON_LINES = {
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'ignore.malformed.json': 'false' } },
};
const CSV = {
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde', parameters: { separatorChar: ',', quoteChar: '"', escapeChar: '\\' } },
};

/** Partition projection on `dt` (YYYY-MM-DD, the contract's earliest day to tomorrow: ts may run 5 minutes ahead). */
export function dtProjection(location: string): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy-MM-dd',
    'projection.dt.range': '2000-01-01,NOW+1DAYS',
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'DAYS',
    'storage.location.template': `${location}dt=\${dt}/`,
  };
}

export interface CatalogProps {
  lake: Lake;
}

export class Catalog extends Construct {
  readonly database: glue.CfnDatabase;
  readonly tables: Record<string, glue.CfnTable> = {};

  constructor(scope: Construct, id: string, { lake }: CatalogProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: DATABASE_NAME, description: 'wattlake energy data lake (tables generated from pipeline/schema)' },
    });
    const s3Url = (prefix: string): string => `s3://${lake.bucket.bucketName}/${prefix}`;

    const partitioned = (name: string, prefix: string, columns: readonly Column[], format: typeof PARQUET, classification: string, description: string): void => {
      this.addTable(name, {
        name,
        description,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: glueColumns([PARTITION_COLUMN]),
        parameters: { classification, EXTERNAL: 'TRUE', ...dtProjection(s3Url(prefix)) },
        storageDescriptor: { columns: glueColumns(columns), location: s3Url(prefix), ...format },
      });
    };
    partitioned('readings', LAKE_PREFIXES.curated, READING_COLUMNS, PARQUET, 'parquet', 'Accepted readings (curated Parquet). Query readings_unique for deduplicated rows.');
    partitioned('rejected_readings', LAKE_PREFIXES.rejected, REJECTED_COLUMNS, PARQUET, 'parquet', 'Quarantined readings with their reason code.');
    partitioned('readings_raw', LAKE_PREFIXES.raw, RAW_COLUMNS, JSON_LINES, 'json', 'Raw zone as written by Firehose (gzip JSON lines; rows with a reason are quarantined). For replay and audit.');

    for (const name of ROLLUP_TABLE_NAMES) {
      const { columns, partition, description } = ROLLUP_TABLES[name];
      if (partition !== null) {
        partitioned(name, rollupPrefix(name), columns, PARQUET, 'parquet', description);
        continue;
      }
      // One file (rollup/<folder>/part.parquet), replaced whole by each compaction.
      this.addTable(name, {
        name,
        description,
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'parquet', EXTERNAL: 'TRUE' },
        storageDescriptor: { columns: glueColumns(columns), location: s3Url(rollupPrefix(name)), ...PARQUET },
      });
    }

    for (const name of REFERENCE_TABLE_NAMES) {
      const prefix = `${LAKE_PREFIXES.reference}${name}/`;
      // Every column is text here; the typed view of the table's own name casts it (referenceViewSql).
      this.addTable(referenceCsvTable(name), {
        name: referenceCsvTable(name),
        description: `Reference table ${name} as loaded (CSV with a header row, every column as text). Query the view ${name}, which types the columns.`,
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'csv', EXTERNAL: 'TRUE', 'skip.header.line.count': '1' },
        storageDescriptor: { columns: glueColumns(REFERENCE_TABLES[name]).map((c) => ({ ...c, type: 'string' })), location: s3Url(prefix), ...CSV },
      });
    }
  }

  private addTable(name: string, tableInput: glue.CfnTable.TableInputProperty): void {
    const table = new glue.CfnTable(this, `Table-${name}`, { catalogId: this.database.catalogId, databaseName: DATABASE_NAME, tableInput });
    table.addResourceDependency(this.database);
    this.tables[name] = table;
  }
}
