// Report tables from recorded query results (test/fixtures/reports/*.json: rows of a named query
// on the golden lake, as `runNamedQuery` returns them), for the renderer tests.
import { readFileSync } from 'node:fs';
import { getNamedQuery } from '../../pipeline/query/named-queries.ts';
import type { PlainRow } from '../../pipeline/query/rows.ts';
import { getReport } from '../../pipeline/reports/definitions.ts';
import { reportTable, type ReportTable } from '../../pipeline/reports/report-table.ts';

export interface QueryFixture {
  query: string;
  params: { start_date: string; end_date: string } & Record<string, string>;
  rows: PlainRow[];
}

export function queryFixture(name: string): QueryFixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/reports/${name}.json`, import.meta.url), 'utf8')) as QueryFixture;
}

/** The table a run of `report` would render from the fixture's rows. */
export function fixtureTable(name: string, report: string, runAt = new Date('2026-04-01T04:00:00Z')): ReportTable {
  const fixture = queryFixture(name);
  const header = getNamedQuery(fixture.query).columns;
  return reportTable({
    report: getReport(report),
    period: { start_date: fixture.params.start_date, end_date: fixture.params.end_date },
    runAt,
    params: fixture.params,
    header,
    result: { columns: header.map((c) => c.name), rows: fixture.rows },
  });
}
