import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type Row } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaQueryError, athenaRunner, typedValue } from '../../../pipeline/query/athena-runner.ts';
import { getNamedQuery, NamedQueryError } from '../../../pipeline/query/named-queries.ts';

const athena = mockClient(AthenaClient);
const EXECUTION = '6a4c9e0f-2b1d-4f3a-9c8e-7d5b3a1f0e2c';
const sleeps: number[] = [];
const run = athenaRunner({ client: new AthenaClient({ region: 'eu-north-1' }), workGroup: 'wattlake-dev', database: 'energy_lake', sleep: async (ms) => { sleeps.push(ms); } });

const text = (...values: (string | undefined)[]): Row => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });
const columnInfo = (name: string) => getNamedQuery(name).columns.map((c) => ({ Name: c.name, Type: c.type.replace(/\(\d+\)$/, '') }));
const states = (...list: string[]): void => {
  const mock = athena.on(GetQueryExecutionCommand, { QueryExecutionId: EXECUTION });
  for (const state of list) mock.resolvesOnce({ QueryExecution: { QueryExecutionId: EXECUTION, Status: { State: state as never } } });
};

beforeEach(() => {
  athena.reset();
  sleeps.length = 0;
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: EXECUTION });
});

describe('athenaRunner', () => {
  it('starts the named query in the workgroup with its parameters bound as execution parameters', async () => {
    states('SUCCEEDED');
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo('daily_consumption') }, Rows: [text('site_id', 'device_id', 'day', 'kwh')] } });
    await run('daily_consumption', { start_date: '2026-03-01', end_date: '2026-03-31', site_id: "site-o'hare" });
    const [start] = athena.commandCalls(StartQueryExecutionCommand);
    expect(start!.args[0].input).toEqual({
      QueryString: getNamedQuery('daily_consumption').sql,
      WorkGroup: 'wattlake-dev',
      QueryExecutionContext: { Database: 'energy_lake' },
      ExecutionParameters: ["'2026-03-01'", "'2026-03-31'", "'site-o''hare'"],
    });
  });

  it('binds defaults and NULL for omitted optional parameters', async () => {
    states('SUCCEEDED');
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo('top_consumers') }, Rows: [] } });
    await run('top_consumers', { start_date: '2026-03-01', end_date: '2026-03-31' });
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.ExecutionParameters).toEqual(["'2026-03-01'", "'2026-03-31'", "'device'", '10', 'NULL']);
  });

  it('refuses bad parameter text before anything reaches Athena', async () => {
    await expect(run('daily_consumption', { start_date: "2026-03-01' OR 1=1 --", end_date: '2026-03-31' })).rejects.toThrow(NamedQueryError);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('polls with growing pauses until the query succeeds', async () => {
    states('QUEUED', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED');
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: columnInfo('daily_consumption') }, Rows: [text('site_id', 'device_id', 'day', 'kwh')] } });
    await run('daily_consumption', { start_date: '2026-03-01', end_date: '2026-03-01' });
    expect(sleeps).toEqual([250, 500, 1000, 2000]);
  });

  it('pages through the results and types every value from the query header', async () => {
    states('SUCCEEDED');
    const info = columnInfo('peak_demand');
    athena.on(GetQueryResultsCommand, { QueryExecutionId: EXECUTION, NextToken: undefined }).resolves({
      NextToken: 'page-2',
      ResultSet: { ResultSetMetadata: { ColumnInfo: info }, Rows: [
        text(...info.map((c) => c.Name)),
        text('site-01', '2026-02-01', '41.3', '2026-02-11 07:45', '2026-02-11 06:45:00.000', '63.0', '65.55555555555556', 'false'),
      ] },
    });
    athena.on(GetQueryResultsCommand, { QueryExecutionId: EXECUTION, NextToken: 'page-2' }).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: info }, Rows: [text('site-04', '2026-02-01', '12.5', '2026-02-03 18:00', '2026-02-03 18:00:00.000', undefined, undefined, undefined)] },
    });
    const result = await run('peak_demand', { start_date: '2026-02-01', end_date: '2026-02-28' });
    expect(result.columns).toEqual(info.map((c) => c.Name));
    expect(result.types).toEqual(['VARCHAR', 'DATE', 'DOUBLE', 'VARCHAR', 'TIMESTAMP', 'DOUBLE', 'DOUBLE', 'BOOLEAN']);
    expect(result.rows).toEqual([
      { site_id: 'site-01', month: '2026-02-01', peak_kw: 41.3, peak_slot_start_local: '2026-02-11 07:45', peak_slot_start_utc: '2026-02-11T06:45:00.000Z', contracted_capacity_kw: 63, capacity_used_pct: 65.55555555555556, exceeds_capacity: false },
      { site_id: 'site-04', month: '2026-02-01', peak_kw: 12.5, peak_slot_start_local: '2026-02-03 18:00', peak_slot_start_utc: '2026-02-03T18:00:00.000Z', contracted_capacity_kw: null, capacity_used_pct: null, exceeds_capacity: null },
    ]);
  });

  it('throws with the execution id and Athena\'s reason when the query FAILED', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { QueryExecutionId: EXECUTION, Status: { State: 'FAILED', StateChangeReason: 'failed', AthenaError: { ErrorMessage: "TABLE_NOT_FOUND: line 12:6: Table 'awsdatacatalog.energy_lake.interval_slots' does not exist" } } } });
    const error = await run('daily_consumption', { start_date: '2026-03-01', end_date: '2026-03-31' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AthenaQueryError);
    expect((error as Error).message).toContain(EXECUTION);
    expect((error as Error).message).toMatch(/daily_consumption .* FAILED: TABLE_NOT_FOUND/);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('throws when the query was CANCELLED', async () => {
    states('RUNNING', 'CANCELLED');
    await expect(run('daily_consumption', { start_date: '2026-03-01', end_date: '2026-03-31' })).rejects.toThrow(/CANCELLED/);
  });

  it('gives up after the longest wait', async () => {
    const impatient = athenaRunner({ client: new AthenaClient({ region: 'eu-north-1' }), workGroup: 'wattlake-dev', database: 'energy_lake', maxWaitMs: 1000, sleep: async () => undefined });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { QueryExecutionId: EXECUTION, Status: { State: 'RUNNING' } } });
    await expect(impatient('daily_consumption', { start_date: '2026-03-01', end_date: '2026-03-31' })).rejects.toThrow(/still RUNNING/);
  });

  it('refuses results whose columns differ from the header', async () => {
    states('SUCCEEDED');
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'site_id', Type: 'varchar' }, { Name: 'kwh', Type: 'double' }] }, Rows: [] } });
    await expect(run('daily_consumption', { start_date: '2026-03-01', end_date: '2026-03-31' })).rejects.toThrow(/columns \[site_id, kwh\]/);
  });
});

describe('typedValue', () => {
  it('keeps bigints beyond 2^53 as text rather than rounding them', () => {
    expect(typedValue('9007199254740993', 'bigint')).toBe('9007199254740993');
    expect(typedValue('42', 'bigint')).toBe(42);
  });
});
