// The same readings written by the pure-JS Parquet writers the project considered, for the
// record (no targets): parquetjs-lite (SNAPPY, its default PLAIN encoding and 4,096-row row
// groups) and hyparquet-writer (SNAPPY by default). Both write the accepted raw lines in arrival
// order, like DuckDB's plain COPY; parsing the raw JSON in JS is timed separately.
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DuckDBInstance } from '@duckdb/node-api';
import { parquetWriteFile, type BasicType, type ColumnSource } from 'hyparquet-writer';
import { READING_COLUMNS, type Column } from '../../pipeline/schema/readings.ts';
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';
import { measure, throughput, type Log, type Timing } from '../measure.ts';
import { parquetFacts } from './parquet-facts.ts';

type Row = Record<string, unknown>;

export interface PeerRun {
  name: string;
  /** As found in the file (both are asked for SNAPPY). */
  codec: string;
  timing: Timing;
  readingsPerSecond: number;
  bytes: number;
  /** Rows in the file. */
  rows: number;
}

export interface PeersResult {
  rows: number;
  /** gunzip + split + JSON.parse of the raw objects: the JS writers' input cost, not in their times. */
  parse: { timing: Timing; readingsPerSecond: number };
  writers: PeerRun[];
}

/** The slice of parquetjs-lite 0.8.7's CommonJS API used here (it ships no types). */
interface ParquetjsLite {
  ParquetSchema: new (fields: Record<string, { type: string; optional: boolean; compression: string }>) => unknown;
  ParquetWriter: { openFile(schema: unknown, path: string): Promise<{ appendRow(row: Row): Promise<void>; close(): Promise<void> }> };
}
const require = createRequire(import.meta.url);
const parquetjs = require('parquetjs-lite') as ParquetjsLite;

/** The installed version, found from the package's entry point (hyparquet-writer's exports hide its package.json). */
function packageVersion(name: string): string {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === name) return pkg.version ?? 'unknown';
  }
  return 'unknown';
}

/** `duckdb` only reads the files back afterwards, for their codec and row count. */
export async function benchPeers({ store, rawKeys, duckdb, workDir, reps, log }: {
  store: ObjectStore; rawKeys: readonly string[]; duckdb: DuckDBInstance; workDir: string; reps: number; log: Log;
}): Promise<PeersResult> {
  const parsed = await measure('peers: gunzip + JSON.parse', { reps, log }, () => readAcceptedRows(store, rawKeys));
  const rows = parsed.value;
  const writers: PeerRun[] = [];
  for (const [name, write] of [['parquetjs-lite', writeParquetjsLite], ['hyparquet-writer', writeHyparquet]] as const) {
    const file = join(workDir, `${name}.parquet`);
    const run = await measure(`peers: ${name}`, { reps, log }, async () => { await write(rows, file); return (await stat(file)).size; });
    const facts = await parquetFacts(duckdb, [file]);
    writers.push({ name: `${name} ${packageVersion(name)}`, timing: run.timing, readingsPerSecond: throughput(rows.length, run.timing), bytes: run.value, ...facts });
  }
  return { rows: rows.length, parse: { timing: parsed.timing, readingsPerSecond: throughput(rows.length, parsed.timing) }, writers };
}

/** Accepted readings of the raw objects, as the transform wrote them (quarantined lines carry `reason`). */
async function readAcceptedRows(store: ObjectStore, rawKeys: readonly string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const key of rawKeys) {
    for (const line of gunzipSync(await store.get(key)).toString('utf8').split('\n')) {
      if (line === '') continue;
      const row = JSON.parse(line) as Row;
      if (row.reason === undefined) rows.push(row);
    }
  }
  return rows;
}

/** Raw lines carry timestamps as epoch ms and every other measure as a JSON number (decimals included). */
const parquetjsType = (c: Column): string => (c.type === 'string' ? 'UTF8' : c.type === 'timestamp' ? 'TIMESTAMP_MILLIS' : c.type === 'bigint' ? 'INT64' : 'DOUBLE');
const hyparquetType = (c: Column): BasicType => (c.type === 'string' ? 'STRING' : c.type === 'timestamp' ? 'TIMESTAMP' : c.type === 'bigint' ? 'INT64' : 'DOUBLE');

async function writeParquetjsLite(rows: readonly Row[], file: string): Promise<void> {
  const schema = new parquetjs.ParquetSchema(Object.fromEntries(READING_COLUMNS.map((c) => [c.name, { type: parquetjsType(c), optional: c.nullable, compression: 'SNAPPY' }])));
  const writer = await parquetjs.ParquetWriter.openFile(schema, file);
  for (const row of rows) await writer.appendRow(row);
  await writer.close();
}

/** hyparquet-writer takes columns; INT64 values must be bigints (timestamps it converts itself). */
function writeHyparquet(rows: readonly Row[], file: string): void {
  const columnData: ColumnSource[] = READING_COLUMNS.map((c) => {
    const toValue = c.type === 'bigint' ? (v: unknown) => (v === undefined || v === null ? null : BigInt(v as number)) : (v: unknown) => v ?? null;
    return { name: c.name, type: hyparquetType(c), nullable: c.nullable, data: rows.map((row) => toValue(row[c.name])) as ColumnSource['data'] };
  });
  parquetWriteFile({ filename: file, columnData });
}
