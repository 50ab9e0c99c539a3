import { describe, expect, it } from 'vitest';
import { openDuckDb, pathLiteral } from '../../../pipeline/query/duckdb.ts';

async function setting(options: Parameters<typeof openDuckDb>[0], name: string): Promise<string> {
  const duckdb = await openDuckDb(options);
  try {
    const connection = await duckdb.connect();
    const rows = (await connection.runAndReadAll('SELECT value FROM duckdb_settings() WHERE name = $name', { name })).getRows();
    connection.closeSync();
    return String(rows[0]?.[0]);
  } finally {
    duckdb.closeSync();
  }
}

describe('openDuckDb', () => {
  it('runs with the threads and memory limit it is given, in UTC', async () => {
    expect(await setting({ threads: 1, memoryLimit: '1GB' }, 'threads')).toBe('1');
    expect(await setting({ threads: 1, memoryLimit: '1GB' }, 'memory_limit')).toBe('953.6 MiB');
    expect(await setting({}, 'TimeZone')).toBe('UTC');
  });
});

describe('pathLiteral', () => {
  it('quotes a plain path', () => {
    expect(pathLiteral('/tmp/lake/curated/readings/dt=2026-11-20/*.parquet')).toBe("'/tmp/lake/curated/readings/dt=2026-11-20/*.parquet'");
  });

  it.each(["/tmp/it's", '/tmp/../etc/passwd', '/tmp/a b', "/tmp/x'; DROP TABLE t; --"])('refuses %j', (path) => {
    expect(() => pathLiteral(path)).toThrow(/refusing to use path in SQL/);
  });
});
