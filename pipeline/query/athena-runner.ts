// Named queries on Athena: the AWS side of `runQuery` (the twin runs the same files on DuckDB,
// lake-sql.ts). Parameters are bound as Athena execution parameters, never pasted into the SQL;
// Athena answers every value as text, so values are typed back from the query header's column
// types into the same plain rows the twin returns (rows.ts).
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type Datum,
} from '@aws-sdk/client-athena';
import type { QueryResult } from './lake-sql.ts';
import { athenaExecutionParameters, bindParameters, getNamedQuery, type NamedQuery } from './named-queries.ts';
import type { PlainValue } from './rows.ts';

export interface AthenaRunnerOptions {
  client: AthenaClient;
  workGroup: string;
  database: string;
  /** Give up waiting after this long (ms); the Lambda's own timeout should be longer. */
  maxWaitMs?: number;
  /** First and longest pause between GetQueryExecution polls (ms). */
  firstPollMs?: number;
  maxPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class AthenaQueryError extends Error {
  override name = 'AthenaQueryError';
}

/** Header type (Athena spelling) -> the DuckDB spelling lake-sql.ts reports, so callers see one vocabulary. */
export function resultType(athenaType: string): string {
  const type = athenaType.toLowerCase();
  if (type.startsWith('timestamp')) return 'TIMESTAMP';
  if (type.startsWith('decimal')) return type.toUpperCase();
  return ({ varchar: 'VARCHAR', date: 'DATE', double: 'DOUBLE', bigint: 'BIGINT', integer: 'INTEGER', boolean: 'BOOLEAN' } as Record<string, string>)[type] ?? type.toUpperCase();
}

/** One Athena text value as the twin's plain value of the header's type (rows.ts conventions). */
export function typedValue(text: string | undefined, athenaType: string): PlainValue {
  if (text === undefined) return null;
  const type = athenaType.toLowerCase();
  if (type === 'double' || type === 'real' || type.startsWith('decimal')) return Number(text);
  if (type === 'bigint' || type === 'integer' || type === 'smallint' || type === 'tinyint') {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : text;
  }
  if (type === 'boolean') return text === 'true';
  // Athena writes `2026-03-01 10:15:00.000` (UTC: the workgroup's session zone); the twin gives ISO-8601 with Z.
  if (type.startsWith('timestamp')) return new Date(`${text.replace(' ', 'T')}Z`).toISOString();
  return text;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `runQuery(name, texts)` on Athena: start the named query in the workgroup with bound
 * parameters, poll with exponential backoff until it ends, page through the results.
 * FAILED and CANCELLED become an AthenaQueryError naming the query, its execution id and Athena's reason.
 */
export function athenaRunner({
  client, workGroup, database, maxWaitMs = 14 * 60_000, firstPollMs = 250, maxPollMs = 5_000, sleep = defaultSleep,
}: AthenaRunnerOptions): (name: string, texts: Record<string, string>) => Promise<QueryResult> {
  return async (name, texts) => {
    const query = getNamedQuery(name);
    const parameters = athenaExecutionParameters(bindParameters(query, texts));
    const started = await client.send(new StartQueryExecutionCommand({
      QueryString: query.sql,
      WorkGroup: workGroup,
      QueryExecutionContext: { Database: database },
      // Athena refuses an empty list: a query without parameters sends none.
      ...(parameters.length ? { ExecutionParameters: parameters } : {}),
    }));
    const id = started.QueryExecutionId;
    if (!id) throw new AthenaQueryError(`query ${name}: Athena returned no execution id`);
    await waitForSuccess({ client, id, name, maxWaitMs, firstPollMs, maxPollMs, sleep });
    return readResults(client, id, query);
  };
}

async function waitForSuccess({ client, id, name, maxWaitMs, firstPollMs, maxPollMs, sleep }:
  { client: AthenaClient; id: string; name: string; maxWaitMs: number; firstPollMs: number; maxPollMs: number; sleep: (ms: number) => Promise<void> }): Promise<void> {
  let waited = 0;
  let pause = firstPollMs;
  for (;;) {
    const { QueryExecution: execution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = execution?.Status?.State;
    if (state === 'SUCCEEDED') return;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason = execution?.Status?.AthenaError?.ErrorMessage ?? execution?.Status?.StateChangeReason ?? 'no reason given';
      throw new AthenaQueryError(`query ${name} (execution ${id}) ${state}: ${reason}`);
    }
    if (waited >= maxWaitMs) throw new AthenaQueryError(`query ${name} (execution ${id}) still ${state ?? 'unknown'} after ${Math.round(waited / 1000)} s`);
    await sleep(pause);
    waited += pause;
    pause = Math.min(pause * 2, maxPollMs);
  }
}

async function readResults(client: AthenaClient, id: string, query: NamedQuery): Promise<QueryResult> {
  const rows: Record<string, PlainValue>[] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
    if (first) {
      const names = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name);
      const expected = query.columns.map((c) => c.name);
      if (JSON.stringify(names) !== JSON.stringify(expected)) {
        throw new AthenaQueryError(`query ${query.name} (execution ${id}) returned columns [${names.join(', ')}], its header lists [${expected.join(', ')}]`);
      }
    }
    // The first row of the first page repeats the column names.
    const data = (page.ResultSet?.Rows ?? []).slice(first ? 1 : 0);
    for (const row of data) rows.push(typedRow(row.Data ?? [], query));
    first = false;
    token = page.NextToken;
  } while (token);
  return { columns: query.columns.map((c) => c.name), types: query.columns.map((c) => resultType(c.type)), rows };
}

function typedRow(data: Datum[], query: NamedQuery): Record<string, PlainValue> {
  return Object.fromEntries(query.columns.map((column, i) => [column.name, typedValue(data[i]?.VarCharValue, column.type)]));
}
