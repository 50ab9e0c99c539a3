// Each named query returns exactly the columns its header promises, with the promised types
// (on an empty lake: the shape does not depend on the data).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLakeSql } from '../../pipeline/query/lake-sql.ts';
import { bindParameters, loadNamedQueries, type NamedQuery } from '../../pipeline/query/named-queries.ts';
import { createTestLake, type TestLake } from '../helpers/lake.ts';

let lake: TestLake;
beforeAll(async () => { lake = await createTestLake(); });
afterAll(async () => { await lake.dispose(); });

/** Athena type of a header column -> the DuckDB type the twin returns for it. */
const DUCKDB_TYPE: Record<string, string> = {
  varchar: 'VARCHAR', date: 'DATE', double: 'DOUBLE', bigint: 'BIGINT', integer: 'INTEGER', boolean: 'BOOLEAN', 'timestamp(3)': 'TIMESTAMP_MS',
};

const SAMPLE_TEXT: Record<string, string> = { date: '2026-03-29', varchar: 'site-sto', integer: '5', bigint: '5', double: '2.5', boolean: 'true' };
const sampleParameters = (query: NamedQuery) =>
  Object.fromEntries(query.params.filter((p) => p.required).map((p) => [p.name, SAMPLE_TEXT[p.type]!]));

describe('named query headers', () => {
  it.each(loadNamedQueries().map((q) => [q.name, q] as const))('%s returns the columns and types of its header', async (_name, query) => {
    const result = await runLakeSql(lake.duckdb, lake.root, query.sql, bindParameters(query, sampleParameters(query)));
    expect(result.columns).toEqual(query.columns.map((c) => c.name));
    expect(result.types).toEqual(query.columns.map((c) => DUCKDB_TYPE[c.type] ?? `unmapped ${c.type}`));
  });
});
