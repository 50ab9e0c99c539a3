// Converter throughput and output size against DuckDB's plain `read_json` + `COPY … (FORMAT
// parquet)` of the same raw objects: default options, auto-detected types, arrival order, no
// deduplication or sorting. The converter does more (typed schema, dedup, sort, ZSTD, a
// durable put), and the targets say how much of that it may cost.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { convertRawObject } from '../../pipeline/convert/converter.ts';
import { pathLiteral } from '../../pipeline/query/duckdb.ts';
import type { FolderStore } from '../../pipeline/storage/folder-store.ts';
import { measure, throughput, type Log, type Timing } from '../measure.ts';
import { parquetFacts } from './parquet-facts.ts';

export interface WriterRun {
  timing: Timing;
  readingsPerSecond: number;
  /** Total size of the Parquet files written. */
  bytes: number;
  /** Rows in the files written, counted from the files. */
  rows: number;
  /** Compression codec(s) found in the files. */
  codec: string;
}

export interface ConvertBenchResult {
  /** JSON lines in the raw objects. */
  lines: number;
  /** Distinct (device_id, ts) among accepted lines: what the converter must keep. */
  distinctReadings: number;
  duckdbDefault: WriterRun;
  converter: WriterRun;
  /** Converter throughput over DuckDB's (target >= 0.5). */
  throughputRatio: number;
  /** Converter bytes over DuckDB's (target <= 0.65). */
  bytesRatio: number;
}

/** What one timed pass wrote; rows as reported by the writer (COPY's count, the converter's result). */
interface Pass { bytes: number; rows: number; files: string[] }

export async function benchConvert({ store, rawKeys, duckdb, workDir, reps, log }: {
  store: FolderStore; rawKeys: readonly string[]; duckdb: DuckDBInstance; workDir: string; reps: number; log: Log;
}): Promise<ConvertBenchResult> {
  const rawPaths = rawKeys.map((key) => store.pathOf(key));
  const plain = await measure('convert baseline (DuckDB read_json + COPY)', { reps, log }, () => duckdbDefaultPass(duckdb, rawPaths, workDir));
  const ours = await measure('convert (convertRawObject)', { reps, log }, () => converterPass(duckdb, store, rawKeys));
  const lines = plain.value.rows;
  const plainFacts = await parquetFacts(duckdb, plain.value.files);
  const oursFacts = await parquetFacts(duckdb, ours.value.files);
  return {
    lines,
    distinctReadings: await countDistinctReadings(duckdb, rawPaths),
    duckdbDefault: { timing: plain.timing, readingsPerSecond: throughput(lines, plain.timing), bytes: plain.value.bytes, ...plainFacts },
    converter: { timing: ours.timing, readingsPerSecond: throughput(lines, ours.timing), bytes: ours.value.bytes, ...oursFacts },
    throughputRatio: plain.timing.medianMs / ours.timing.medianMs,
    bytesRatio: ours.value.bytes / plain.value.bytes,
  };
}

async function duckdbDefaultPass(duckdb: DuckDBInstance, rawPaths: readonly string[], workDir: string): Promise<Pass> {
  const connection = await duckdb.connect();
  try {
    const pass: Pass = { bytes: 0, rows: 0, files: [] };
    for (const [i, rawPath] of rawPaths.entries()) {
      const out = join(workDir, `duckdb-default-${i}.parquet`);
      const copied = await connection.run(`COPY (SELECT * FROM read_json(${pathLiteral(rawPath)})) TO ${pathLiteral(out)} (FORMAT parquet)`);
      pass.rows += Number(copied.rowsChanged);
      pass.bytes += (await stat(out)).size;
      pass.files.push(out);
    }
    return pass;
  } finally {
    connection.closeSync();
  }
}

/** Every file the converter writes counts towards its bytes; its rows are the curated readings. */
async function converterPass(duckdb: DuckDBInstance, store: FolderStore, rawKeys: readonly string[]): Promise<Pass> {
  const pass: Pass = { bytes: 0, rows: 0, files: [] };
  for (const rawKey of rawKeys) {
    const result = await convertRawObject({ store, rawKey, duckdb });
    for (const file of [...result.readings, ...result.rejected]) pass.bytes += (await stat(store.pathOf(file.key))).size;
    for (const file of result.readings) {
      pass.rows += file.rows;
      pass.files.push(store.pathOf(file.key));
    }
  }
  return pass;
}

/** Quarantined lines carry `reason`; naming the columns makes it NULL when no line has one. */
async function countDistinctReadings(duckdb: DuckDBInstance, rawPaths: readonly string[]): Promise<number> {
  const connection = await duckdb.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT count(*) FROM (
      SELECT DISTINCT device_id, ts FROM read_json([${rawPaths.map(pathLiteral).join(', ')}], format = 'newline_delimited',
        columns = {device_id: 'VARCHAR', ts: 'BIGINT', reason: 'VARCHAR'})
      WHERE reason IS NULL)`);
    return Number(reader.getRows()[0]?.[0]);
  } finally {
    connection.closeSync();
  }
}
