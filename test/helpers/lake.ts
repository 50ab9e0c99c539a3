// A throwaway lake folder and DuckDB per test file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { createLakeViews } from '../../pipeline/query/catalog.ts';
import { openDuckDb } from '../../pipeline/query/duckdb.ts';
import { plainRows, type PlainRow } from '../../pipeline/query/rows.ts';
import { FolderStore } from '../../pipeline/storage/folder-store.ts';

export interface TestLake {
  root: string;
  store: FolderStore;
  duckdb: DuckDBInstance;
  /** Runs SQL over the lake's views (recreated first, so new files are seen) and returns plain rows (pipeline/query/rows.ts). */
  query(sql: string, params?: unknown[]): Promise<PlainRow[]>;
  dispose(): Promise<void>;
}

export async function createTestLake(): Promise<TestLake> {
  const root = await mkdtemp(join(tmpdir(), 'wattlake-test-lake-'));
  const duckdb = await openDuckDb({ threads: 2 });
  return {
    root,
    store: new FolderStore(root),
    duckdb,
    async query(sql, params) {
      const connection = await duckdb.connect();
      try {
        await createLakeViews(connection, root);
        return plainRows(await connection.runAndReadAll(sql, params as never));
      } finally {
        connection.closeSync();
      }
    },
    async dispose() {
      duckdb.closeSync();
      await rm(root, { recursive: true, force: true });
    },
  };
}
