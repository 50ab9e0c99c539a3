// Several named queries on one connection, with the shared views computed once, answer exactly
// what each query answers on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASETS } from '../../../pipeline/dashboards/definitions.ts';
import { runNamedQueries, runNamedQuery, sharedViewsReadTwice } from '../../../pipeline/query/lake-sql.ts';
import { getNamedQuery, NamedQueryError } from '../../../pipeline/query/named-queries.ts';
import { openGoldenLake, type GoldenLake } from '../../helpers/golden-lake.ts';
import { expectRowsClose } from '../../helpers/rows-close.ts';

let golden: GoldenLake;
beforeAll(async () => { golden = await openGoldenLake(); });
afterAll(() => golden.close());

const requests = DATASETS.map((d) => ({ name: d.query, texts: { ...d.fixedParams, start_date: '2026-02-01', end_date: '2026-03-31' } }));

describe('runNamedQueries', () => {
  it('with the shared views materialized, gives every query the rows it gives alone', async () => {
    const together = await runNamedQueries(golden.duckdb, golden.root, requests, { materializeViews: true });
    expect(together.map((r) => r.query.name)).toEqual(requests.map((r) => r.name));
    for (const [i, request] of requests.entries()) {
      const alone = await runNamedQuery(golden.duckdb, golden.root, request.name, request.texts);
      expect(together[i]!.columns).toEqual(alone.columns);
      expect(alone.rows.length, request.name).toBeGreaterThan(0);
      expectRowsClose(together[i]!.rows, alone.rows);
    }
  });

  it('checks every request\'s parameters before running any', async () => {
    await expect(runNamedQueries(golden.duckdb, golden.root, [requests[0]!, { name: 'daily_consumption', texts: { start_date: 'soon' } }]))
      .rejects.toThrow(NamedQueryError);
  });
});

describe('sharedViewsReadTwice', () => {
  const sqlOf = (...names: string[]) => names.map((n) => getNamedQuery(n).sql);

  it('picks the views two or more queries read, directly or through other views, in dependency order', () => {
    expect(sharedViewsReadTwice(sqlOf(...DATASETS.map((d) => d.query)))).toEqual(['metering_input', 'live_intervals', 'live_interval_slots', 'interval_slots']);
    expect(sharedViewsReadTwice(sqlOf('data_completeness', 'power_quality')))
      .toEqual(['metering_input', 'live_intervals', 'live_local_readings', 'local_readings', 'device_cadence']);
  });

  it('picks none for a single query, however many views it reads', () => {
    expect(sharedViewsReadTwice(sqlOf('data_completeness'))).toEqual([]);
  });
});

describe('concurrent runs on one DuckDB instance', () => {
  it('all succeed: they take turns instead of racing to recreate the lake views', async () => {
    const texts = { start_date: '2026-03-01', end_date: '2026-03-31' };
    const results = await Promise.all([
      runNamedQuery(golden.duckdb, golden.root, 'daily_consumption', texts),
      runNamedQueries(golden.duckdb, golden.root, [{ name: 'peak_demand', texts }], { materializeViews: true }),
      runNamedQuery(golden.duckdb, golden.root, 'carbon_emissions', texts),
      runNamedQuery(golden.duckdb, golden.root, 'daily_consumption', { ...texts, site_id: 'site-sto' }),
    ]);
    expect(results.map((r) => (Array.isArray(r) ? r[0]!.rows.length : r.rows.length) > 0)).toEqual([true, true, true, true]);
  });
});
