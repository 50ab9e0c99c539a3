// Every named query and shared view is Athena engine v3 (Trino) SQL: dt-sql-parser's Trino
// grammar parses it without a single error, and the compat layer accepts it unchanged.
import { readdirSync, readFileSync } from 'node:fs';
import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import { toDuckDbSql } from '../../pipeline/query/trino-compat.ts';

const dir = new URL('../../queries/', import.meta.url);
const files = [
  ...readdirSync(dir).filter((f) => f.endsWith('.sql')),
  ...readdirSync(new URL('views/', dir)).filter((f) => f.endsWith('.sql')).map((f) => `views/${f}`),
];
const parser = new TrinoSQL();
const errorsOf = (sql: string) => parser.validate(sql).map((e) => `line ${e.startLine}:${e.startColumn} ${e.message}`);

describe('Athena (Trino) SQL in queries/', () => {
  it('holds the 12 named queries and the shared views', () => {
    expect(files.filter((f) => !f.startsWith('views/'))).toHaveLength(12);
    expect(files.filter((f) => f.startsWith('views/')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('%s parses as Trino with no errors', (file) => {
    expect(errorsOf(readFileSync(new URL(file, dir), 'utf8'))).toEqual([]);
  });

  it.each(files)('%s runs on DuckDB without a text rewrite or a refused construct', (file) => {
    const sql = readFileSync(new URL(file, dir), 'utf8');
    expect(toDuckDbSql(sql)).toBe(sql);
  });

  it('is checked by a parser that does reject what Trino rejects', () => {
    // A column as AT TIME ZONE's zone is DuckDB syntax; Trino only takes a literal there.
    expect(errorsOf('SELECT ts AT TIME ZONE timezone FROM readings')).not.toEqual([]);
    expect(errorsOf('SELECT x FROM WHERE y')).not.toEqual([]);
  });
});
