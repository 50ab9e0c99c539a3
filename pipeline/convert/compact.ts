// Compaction: Firehose-sized flushes leave one small curated file per raw object; this merges a
// day's files into a few large ones, deduplicated and sorted exactly as the converter writes them.
//
// Stateless: outputs are named `compacted-<generation>-<part>.parquet`, the generation being a
// hash of the input keys. A partition needs compaction when it holds any other Parquet file (new
// or late data) or more than one generation (a run that stopped before deleting its inputs).
// New files are written before old ones are deleted, so a reader never misses a row; it may see
// a row twice for a moment, which readings_unique absorbs. Any crash leaves a partition that
// still needs compaction, and the next run finishes the job. Run one compaction at a time (the
// daily schedule does); the converter may keep writing meanwhile: files that appear after the
// listing are left for the next run.
//
// Between writing and deleting, the rollup is refreshed (pipeline/convert/rollup.ts) for the
// days whose readings changed, so a crash before the rollup is done leaves those days still
// needing compaction, and the next run refreshes them again.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { pathLiteral, type DuckDBConnection } from '../query/duckdb.ts';
import { isValidDate } from '../schema/ids.ts';
import { READING_COLUMNS, REJECTED_COLUMNS, type Column } from '../schema/readings.ts';
import { duckdbCastList } from '../schema/types.ts';
import { curatedReadingsKey, LAKE_PREFIXES, parquetKeysByDate, rejectedReadingsKey } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { WrittenFile } from './converter.ts';
import { copyToParquet, FIRST_RECEIVED, READINGS_ORDER, REJECTED_ORDER } from './curated-write.ts';
import { refreshRollup, type RollupRefresh } from './rollup.ts';

interface CompactedTable {
  name: 'readings' | 'rejected_readings';
  prefix: string;
  key: (dt: string, fileName: string) => string;
  columns: readonly Column[];
  /** Applied to the union of a day's rows. */
  filter: string;
  order: string;
}

/**
 * rejected_readings is compacted too, without deduplication: quarantine is an audit trail and
 * has no query-time dedup, so compaction keeps every row it has (a reader during the brief
 * write-then-delete window, or after a crash until the next run, may count a rejected row twice).
 */
const TABLES: readonly CompactedTable[] = [
  { name: 'readings', prefix: LAKE_PREFIXES.curated, key: curatedReadingsKey, columns: READING_COLUMNS, filter: `QUALIFY ${FIRST_RECEIVED}`, order: READINGS_ORDER },
  { name: 'rejected_readings', prefix: LAKE_PREFIXES.rejected, key: rejectedReadingsKey, columns: REJECTED_COLUMNS, filter: '', order: REJECTED_ORDER },
];

/** 40 row groups of the converter's 122,880 rows: a year of 1,000 meters at 15 minutes is one file per day. */
export const DEFAULT_MAX_ROWS_PER_FILE = 40 * 122_880;

const COMPACTED_NAME = /^compacted-([0-9a-f]{12})-\d{3}\.parquet$/;
const fileName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/** The output names of one compaction of `inputs`: deterministic, so a repeated run overwrites rather than adds. */
export function compactedFileName(inputs: readonly string[], part: number): string {
  const generation = createHash('sha256').update([...inputs].sort().join('\n')).digest('hex').slice(0, 12);
  return `compacted-${generation}-${String(part).padStart(3, '0')}.parquet`;
}

/** Parquet files of one table's partitions that need compaction, by `dt` (other partitions are left out). */
export function partitionsNeedingCompaction(keys: readonly string[]): Map<string, string[]> {
  const byDay = parquetKeysByDate(keys);
  for (const [dt, files] of byDay) {
    const generations = new Set(files.map((k) => COMPACTED_NAME.exec(fileName(k))?.[1] ?? 'not compacted'));
    if (generations.size === 1 && !generations.has('not compacted')) byDay.delete(dt);
  }
  return byDay;
}

export interface PartitionCompaction {
  table: CompactedTable['name'];
  dt: string;
  inputs: string[];
  outputs: WrittenFile[];
  rowsIn: number;
  /** rowsIn minus duplicate (device_id, ts) rows removed (readings only). */
  rowsOut: number;
}

export interface CompactionOptions {
  store: ObjectStore;
  duckdb: DuckDBInstance;
  /** Compact only this UTC day (YYYY-MM-DD); default every partition that needs it. */
  day?: string;
  maxRowsPerFile?: number;
  /** The rollup's clock, live period, and whether to rebuild all of it (pipeline/convert/rollup.ts). */
  now?: number;
  liveDays?: number;
  rebuildRollup?: boolean;
}

export interface CompactionResult {
  partitions: PartitionCompaction[];
  rollup: RollupRefresh;
}

/** Compacts every partition (or the one `day`) of readings and rejected_readings that needs it, and refreshes the rollup. */
export async function compactLake({ store, duckdb, day, maxRowsPerFile = DEFAULT_MAX_ROWS_PER_FILE, now, liveDays, rebuildRollup = false }: CompactionOptions): Promise<CompactionResult> {
  if (day !== undefined && !isValidDate(day)) throw new Error(`compact: day ${JSON.stringify(day)} is not a YYYY-MM-DD date`);
  if (!Number.isSafeInteger(maxRowsPerFile) || maxRowsPerFile < 1) throw new Error(`compact: maxRowsPerFile must be a positive integer`);
  const partitions: PartitionCompaction[] = [];
  for (const table of TABLES) {
    const keys = await store.list(day === undefined ? table.prefix : `${table.prefix}dt=${day}/`);
    for (const [dt, inputs] of [...partitionsNeedingCompaction(keys)].sort(([a], [b]) => a.localeCompare(b))) {
      partitions.push(await compactPartition({ store, duckdb, table, dt, inputs, maxRowsPerFile }));
    }
  }
  const changedDays = partitions.filter((p) => p.table === 'readings').map((p) => p.dt);
  const rollup = await refreshRollup({ store, changedDays, rebuildAll: rebuildRollup, ...(now === undefined ? {} : { now }), ...(liveDays === undefined ? {} : { liveDays }) });
  // Only now may the inputs go. The outputs' names differ from every input's (their hash covers the inputs).
  for (const partition of partitions) for (const key of partition.inputs) await store.delete(key);
  return { partitions, rollup };
}

async function compactPartition({ store, duckdb, table, dt, inputs, maxRowsPerFile }: {
  store: ObjectStore; duckdb: DuckDBInstance; table: CompactedTable; dt: string; inputs: string[]; maxRowsPerFile: number;
}): Promise<PartitionCompaction> {
  const work = await mkdtemp(join(tmpdir(), 'wattlake-compact-'));
  const connection = await duckdb.connect();
  try {
    const local = await Promise.all(inputs.map(async (key, i) => {
      const path = join(work, `input-${i}.parquet`);
      await writeFile(path, await store.get(key));
      return path;
    }));
    const rowsIn = await merge(connection, table, local);
    const rowsOut = Number((await connection.runAndReadAll('SELECT count(*) FROM merged')).getRows()[0]?.[0] ?? 0);

    const outputs: WrittenFile[] = [];
    const names = table.columns.map((c) => c.name).join(', ');
    for (let part = 0; part * maxRowsPerFile < rowsOut; part++) {
      const path = join(work, `output-${part}.parquet`);
      const rows = await copyToParquet(connection,
        `SELECT ${names} FROM merged WHERE row_index > ${part * maxRowsPerFile} AND row_index <= ${(part + 1) * maxRowsPerFile} ORDER BY row_index`, path);
      const key = table.key(dt, compactedFileName(inputs, part));
      await store.put(key, await readFile(path));
      outputs.push({ dt, key, rows });
    }
    const written = outputs.reduce((n, f) => n + f.rows, 0);
    if (written !== rowsOut) throw new Error(`compact: ${table.name} dt=${dt}: wrote ${written} rows of ${rowsOut}; inputs kept`);
    return { table: table.name, dt, inputs, outputs, rowsIn, rowsOut };
  } finally {
    connection.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}

/** Loads the union of the input files into temp table `merged` with its `row_index` in output order; returns the input row count. */
async function merge(connection: DuckDBConnection, table: CompactedTable, files: string[]): Promise<number> {
  const source = `read_parquet([${files.map(pathLiteral).join(', ')}], union_by_name = true)`;
  await connection.run(`CREATE TEMP TABLE merged AS
    SELECT *, row_number() OVER (ORDER BY ${table.order}) AS row_index
    FROM (SELECT * FROM (SELECT ${duckdbCastList(table.columns)} FROM ${source}) ${table.filter})`);
  return Number((await connection.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0]?.[0] ?? 0);
}
