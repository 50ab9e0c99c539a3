// The queries suite: every named query on a lake of `devices` meters x `days` days at 15-minute
// cadence (1,000 x 365 = about 35 million readings by default), built through the converter in
// Firehose-sized flushes and then compacted. Measured: median wall time per query (fresh
// connection, views, Trino layer and query, as `wattlake query` runs it) for one month of all
// sites, and the Parquet files and bytes DuckDB reads for a one-month, one-site query against a
// full scan, on the compacted lake and on one uncompacted month.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDb } from '../../pipeline/query/duckdb.ts';
import { bindParameters, loadNamedQueries, type NamedQuery } from '../../pipeline/query/named-queries.ts';
import { FolderStore } from '../../pipeline/storage/folder-store.ts';
import { measure, type Log, type Timing } from '../measure.ts';
import { compactLake } from '../../pipeline/convert/compact.ts';
import { buildQueryLake, type QueryLakeBuild } from './build-lake.ts';
import { profileQuery, type QueryProfile } from './profile-query.ts';
import { DAY_MS } from '../../pipeline/schema/ids.ts';

export const TARGETS = { queryMs: 3_000, prunedBytesShare: 0.05 } as const;

export interface QueriesSuiteOptions {
  devices: number;
  days: number;
  reps: number;
  /** First day of the data (UTC). */
  start?: string;
  /**
   * Build the lake in this folder and keep it, or, when a build of the same size already
   * finished there, reuse it: compaction then runs again (timed: it compacts what still needs
   * it and refreshes the rollup), and the uncompacted-month measurement, which needs the build,
   * is skipped. Delete the folder's rollup/ first to time building it from scratch.
   */
  lakeDir?: string;
  log: Log;
}

export interface QueryTiming {
  name: string;
  params: Record<string, string>;
  timing: Timing;
  profile: QueryProfile;
}

export interface PruningResult {
  label: string;
  selective: QueryProfile;
  fullScan: QueryProfile;
  bytesShare: number;
}

export interface QueriesResult {
  options: Omit<QueriesSuiteOptions, 'log'>;
  build: QueryLakeBuild;
  /** When a kept lake was reused: compaction of what it still needed and its rollup built again from scratch. */
  rebuiltRollup?: { ms: number; partitions: number; days: number; closedUntil: string };
  lakeFiles: number;
  lakeBytes: number;
  month: { start_date: string; end_date: string; site_id: string };
  queries: QueryTiming[];
  /** Each query once over the whole data period (a year at the default size). */
  wholePeriod: { start_date: string; end_date: string; queries: QueryTiming[] };
  pruning: PruningResult[];
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The calendar month around the middle of the data, clipped to it. */
export function benchMonth(start: string, days: number): { start_date: string; end_date: string } {
  const first = Date.parse(`${start}T00:00:00Z`);
  const last = first + (days - 1) * DAY_MS;
  const middle = new Date(first + Math.floor((days - 1) / 2) * DAY_MS);
  const monthStart = Date.UTC(middle.getUTCFullYear(), middle.getUTCMonth(), 1);
  const monthEnd = Date.UTC(middle.getUTCFullYear(), middle.getUTCMonth() + 1, 0);
  return { start_date: isoDay(Math.max(first, monthStart)), end_date: isoDay(Math.min(last, monthEnd)) };
}

async function curatedFiles(lake: string): Promise<{ files: number; bytes: number }> {
  const root = join(lake, 'curated', 'readings');
  let files = 0;
  let bytes = 0;
  for (const day of await readdir(root)) {
    for (const file of await readdir(join(root, day))) {
      if (!file.endsWith('.parquet')) continue;
      files++;
      bytes += (await stat(join(root, day, file))).size;
    }
  }
  return { files, bytes };
}

const FULL_SCAN = 'SELECT * FROM readings';

async function pruning(duckdb: DuckDBInstance, lake: string, label: string, params: Record<string, string>, daily: NamedQuery): Promise<PruningResult> {
  const selective = await profileQuery(duckdb, lake, daily.sql, bindParameters(daily, params));
  const fullScan = await profileQuery(duckdb, lake, FULL_SCAN, []);
  return { label, selective, fullScan, bytesShare: fullScan.bytesRead ? selective.bytesRead / fullScan.bytesRead : Number.NaN };
}

const BUILT_MARKER = 'bench-build.json';

export async function runQueriesSuite({ devices, days, reps, start = '2025-01-01', lakeDir, log }: QueriesSuiteOptions): Promise<QueriesResult> {
  const lake = lakeDir ?? await mkdtemp(join(tmpdir(), 'wattlake-bench-queries-'));
  const duckdb = await openDuckDb();
  try {
    await mkdir(lake, { recursive: true });
    const store = new FolderStore(lake);
    const named = loadNamedQueries();
    const daily = named.find((q) => q.name === 'daily_consumption');
    if (!daily) throw new Error('queries bench: daily_consumption is missing');
    const site = 'site-01';
    const results: PruningResult[] = [];
    const firstMonthDays = Math.min(days, 31);
    const firstMonth = { start_date: start, end_date: isoDay(Date.parse(`${start}T00:00:00Z`) + (firstMonthDays - 1) * DAY_MS), site_id: site };
    const kept = existsSync(join(lake, BUILT_MARKER)) ? JSON.parse(await readFile(join(lake, BUILT_MARKER), 'utf8')) as QueryLakeBuild : null;
    if (kept && (kept.devices !== devices || kept.days !== days)) throw new Error(`queries bench: ${lake} holds ${kept.devices} meters x ${kept.days} days, not ${devices} x ${days}`);
    let rebuiltRollup: QueriesResult['rebuiltRollup'];
    let build: QueryLakeBuild;
    if (kept) {
      log(`queries bench: reusing the lake in ${lake}; compacting what needs it and refreshing its rollup`);
      build = kept;
      const began = performance.now();
      const { partitions, rollup } = await compactLake({ store, duckdb });
      rebuiltRollup = { ms: performance.now() - began, partitions: partitions.length, days: rollup.rebuiltDays.length, closedUntil: rollup.closedUntil };
    } else {
      build = await buildQueryLake({
        store, duckdb, devices, days, start, log,
        onPause: {
          afterDays: firstMonthDays,
          run: async () => {
            log('queries bench: measuring the first month before compaction');
            results.push(await pruning(duckdb, lake, `uncompacted: ${firstMonthDays} days, one site vs full scan of them`, firstMonth, daily));
          },
        },
      });
      if (lakeDir) await writeFile(join(lake, BUILT_MARKER), JSON.stringify(build));
    }
    const month = { ...benchMonth(start, days), site_id: site };
    results.push(await pruning(duckdb, lake, 'compacted: one month, one site vs full scan of the year', month, daily));
    const { files: lakeFiles, bytes: lakeBytes } = await curatedFiles(lake);

    const timeEach = async (params: Record<string, string>, times: number): Promise<QueryTiming[]> => {
      const timings: QueryTiming[] = [];
      for (const query of named) {
        const values = bindParameters(query, params);
        const { timing, value } = await measure(`query ${query.name} ${params.start_date}..${params.end_date}`, { reps: times, log }, () => profileQuery(duckdb, lake, query.sql, values));
        timings.push({ name: query.name, params, timing, profile: value });
      }
      return timings;
    };
    const queries = await timeEach({ start_date: month.start_date, end_date: month.end_date }, reps);
    const whole = { start_date: start, end_date: isoDay(Date.parse(`${start}T00:00:00Z`) + (days - 1) * DAY_MS) };
    const wholePeriod = { ...whole, queries: await timeEach(whole, 1) };
    return { options: { devices, days, reps, start, ...(lakeDir ? { lakeDir } : {}) }, build, ...(rebuiltRollup ? { rebuiltRollup } : {}), lakeFiles, lakeBytes, month, queries, wholePeriod, pruning: results };
  } finally {
    duckdb.closeSync();
    if (!lakeDir) await rm(lake, { recursive: true, force: true });
  }
}
