// One query on the lake, timed, with what it read: bytes from the kernel's count of this
// process's reads (/proc/self/io rchar; DuckDB's own total_bytes_read undercounts Parquet scans
// several hundredfold) and Parquet files from DuckDB's profiler (the scans' "Total Files Read"),
// so partition and row-group pruning show.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { createLakeViews } from '../../pipeline/query/catalog.ts';
import { pathLiteral } from '../../pipeline/query/duckdb.ts';
import type { ParamValue } from '../../pipeline/query/named-queries.ts';
import { installTrinoCompat, toDuckDbSql } from '../../pipeline/query/trino-compat.ts';

export interface QueryProfile {
  ms: number;
  rows: number;
  bytesRead: number;
  filesRead: number;
}

interface ProfileNode { extra_info?: Record<string, unknown>; children?: ProfileNode[] }

/** Bytes this process has read through read syscalls so far (files, page cache hits included). */
export function bytesReadByProcess(): number {
  const match = /^rchar:\s*(\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  if (!match) throw new Error('/proc/self/io has no rchar line');
  return Number(match[1]);
}

/** Sums "Total Files Read" over every Parquet scan in the profile tree. */
export function filesReadIn(node: ProfileNode): number {
  const own = Number(node.extra_info?.['Total Files Read'] ?? 0);
  return (Number.isFinite(own) ? own : 0) + (node.children ?? []).reduce((n, child) => n + filesReadIn(child), 0);
}

/** Runs Athena SQL (through the Trino-compatibility layer) with bound parameters, profiled. */
export async function profileQuery(duckdb: DuckDBInstance, lake: string, sql: string, params: readonly ParamValue[]): Promise<QueryProfile> {
  const work = await mkdtemp(join(tmpdir(), 'wattlake-bench-profile-'));
  const output = join(work, 'profile.json');
  const connection = await duckdb.connect();
  try {
    await createLakeViews(connection, lake);
    await installTrinoCompat(connection);
    // Count what a scan reads from the files, as Athena bills it, not what DuckDB's cache of an earlier run serves.
    await connection.run('SET enable_external_file_cache = false');
    await connection.run(`PRAGMA enable_profiling = 'json'`);
    await connection.run(`SET profiling_output = ${pathLiteral(output)}`);
    await connection.run(`SET custom_profiling_settings = '{"EXTRA_INFO": "true"}'`);
    const readBefore = bytesReadByProcess();
    const start = performance.now();
    const reader = await connection.runAndReadAll(toDuckDbSql(sql), params.length ? [...params] as never : undefined);
    const ms = performance.now() - start;
    const bytesRead = bytesReadByProcess() - readBefore;
    // Written when the query finishes; read before any other statement replaces it.
    const profile = JSON.parse(await readFile(output, 'utf8')) as ProfileNode;
    return { ms, rows: reader.currentRowCount, bytesRead, filesRead: filesReadIn(profile) };
  } finally {
    connection.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}
