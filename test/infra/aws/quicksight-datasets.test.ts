import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetColumns, datasetParameterTexts, datasetSql, quicksightColumnType, windowExpressions } from '../../../infra/aws/quicksight-datasets.ts';
import { DATASETS, getDataset } from '../../../pipeline/dashboards/definitions.ts';
import { runLakeSql } from '../../../pipeline/query/lake-sql.ts';
import { getNamedQuery } from '../../../pipeline/query/named-queries.ts';
import { countParameterMarkers } from '../../../pipeline/query/sql-text.ts';
import { openGoldenLake, type GoldenLake } from '../../helpers/golden-lake.ts';
import { expectRowsClose } from '../../helpers/rows-close.ts';

const parser = new TrinoSQL();

describe('dataset parameters', () => {
  it('fill the window from lookbackDays, fixed parameters as bound literals and the rest as NULL', () => {
    const top = getDataset('top_consumers');
    const window = windowExpressions(top.lookbackDays);
    expect(datasetParameterTexts(top)).toEqual([window.start_date, window.end_date, "'device'", '10', 'NULL']);
    expect(window.start_date).toBe(`date_add('day', -${top.lookbackDays}, current_date)`);
  });

  it('use a header default when the dataset fixes nothing (anomalies: z_threshold 3)', () => {
    expect(datasetParameterTexts(getDataset('consumption_anomalies')).slice(2)).toEqual(['3', 'NULL']);
  });

  it('refuse a fixed window parameter and a fixed parameter of the wrong type', () => {
    expect(() => datasetParameterTexts({ ...getDataset('daily_consumption'), fixedParams: { start_date: '2026-01-01' } })).toThrow(/lookbackDays/);
    expect(() => datasetParameterTexts({ ...getDataset('top_consumers'), fixedParams: { top_n: "10; DROP TABLE sites" } })).toThrow(/top_n/);
  });
});

describe('dataset SQL', () => {
  it('has no parameter marker left and parses as Athena (Trino) SQL inside the subquery QuickSight wraps it in', () => {
    for (const dataset of DATASETS) {
      const sql = datasetSql(dataset);
      expect(countParameterMarkers(sql), dataset.name).toBe(0);
      const errors = parser.validate(`SELECT * FROM (${sql}) AS t`).map((e) => `line ${e.startLine}:${e.startColumn} ${e.message}`);
      expect(errors, dataset.name).toEqual([]);
    }
  });

  it('types every input column from the query header', () => {
    expect(quicksightColumnType('varchar')).toBe('STRING');
    expect(quicksightColumnType('date')).toBe('DATETIME');
    expect(quicksightColumnType('timestamp(3)')).toBe('DATETIME');
    expect(quicksightColumnType('bigint')).toBe('INTEGER');
    expect(quicksightColumnType('integer')).toBe('INTEGER');
    expect(quicksightColumnType('double')).toBe('DECIMAL');
    expect(quicksightColumnType('boolean')).toBe('BIT');
    expect(datasetColumns(getDataset('peak_demand'))).toEqual([
      { name: 'site_id', type: 'STRING' }, { name: 'month', type: 'DATETIME' }, { name: 'peak_kw', type: 'DECIMAL' },
      { name: 'peak_slot_start_local', type: 'STRING' }, { name: 'peak_slot_start_utc', type: 'DATETIME' },
      { name: 'contracted_capacity_kw', type: 'DECIMAL' }, { name: 'capacity_used_pct', type: 'DECIMAL' }, { name: 'exceeds_capacity', type: 'BIT' },
    ]);
  });
});

describe('dataset SQL on the golden lake (the twin runs it like Athena would)', () => {
  let lake: GoldenLake;
  beforeAll(async () => { lake = await openGoldenLake(); }, 180_000);
  afterAll(() => lake?.close());

  it('returns what the named query returns for the window the expressions describe', async () => {
    let rows = 0;
    for (const dataset of DATASETS) {
      const today = new Date();
      const iso = (d: Date): string => d.toISOString().slice(0, 10);
      const start = iso(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - dataset.lookbackDays)));
      const expected = await lake.run(dataset.query, { ...dataset.fixedParams, start_date: start, end_date: iso(today) });
      const actual = await runLakeSql(lake.duckdb, lake.root, datasetSql(dataset));
      expect(actual.columns, dataset.name).toEqual(getNamedQuery(dataset.query).columns.map((c) => c.name));
      expectRowsClose(actual.rows, expected);
      rows += expected.length;
    }
    // The golden lake lies in the windows, so the comparison covers real rows.
    expect(rows).toBeGreaterThan(0);
  });
});
