import { describe, expect, it } from 'vitest';
import {
  athenaExecutionParameters, bindParameters, getNamedQuery, loadNamedQueries, NamedQueryError, parseNamedQuery, parseParameterArguments,
} from '../../../pipeline/query/named-queries.ts';

const ISSUE_QUERIES = [
  'baseload', 'carbon_emissions', 'consumption_anomalies', 'daily_consumption', 'data_completeness', 'hourly_load_profile',
  'monthly_trend', 'peak_demand', 'power_quality', 'time_of_use_cost', 'top_consumers',
  // The dashboard's heat map (issue #6).
  'weekday_hour_load',
];

const SAMPLE = `-- name: sample
-- description: A sample query that
--   spans two lines.
-- param: start_date (date, required): first day
-- param: site_id (varchar, optional): one site
-- param: top_n (integer, default 10): how many
-- param: rank_by (varchar, default device, one of device|site): what to rank
-- column: site_id (varchar): site
-- column: kwh (double): energy, kWh
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS varchar) AS site_id, CAST(? AS integer) AS top_n, CAST(? AS varchar) AS rank_by
)
SELECT 'what?' AS site_id, 1e0 AS kwh FROM params -- really?
`;
const sample = parseNamedQuery(SAMPLE, 'sample.sql');

describe('loading named queries', () => {
  it('finds the queries of the issues in queries/', () => {
    expect(loadNamedQueries().map((q) => q.name)).toEqual(ISSUE_QUERIES);
  });

  it('reads name, description (with continuation lines), parameters and columns from the header', () => {
    expect(sample).toMatchObject({
      name: 'sample',
      description: 'A sample query that spans two lines.',
      params: [
        { name: 'start_date', type: 'date', required: true, description: 'first day' },
        { name: 'site_id', type: 'varchar', required: false, description: 'one site' },
        { name: 'top_n', type: 'integer', required: false, defaultText: '10' },
        { name: 'rank_by', type: 'varchar', defaultText: 'device', oneOf: ['device', 'site'] },
      ],
      columns: [{ name: 'site_id', type: 'varchar', description: 'site' }, { name: 'kwh', type: 'double', description: 'energy, kWh' }],
    });
  });

  it.each([
    ['a name that is not the file name', SAMPLE.replace('-- name: sample', '-- name: other'), /name other differs from the file name/],
    ['no description', SAMPLE.replace(/-- description:.*\n--\s+spans two lines.\n/, ''), /exactly one non-empty "-- description:"/],
    ['an unknown header key', SAMPLE.replace('-- column: kwh', '-- colum: kwh'), /header line is not/],
    ['an unknown type', SAMPLE.replace('(date, required)', '(datetime, required)'), /type datetime is not one of/],
    ['neither required nor optional nor a default', SAMPLE.replace('(date, required)', '(date)'), /exactly one of required, optional, default/],
    ['a default of the wrong type', SAMPLE.replace('default 10', 'default ten'), /default must be an integer/],
    ['a parameter listed twice', SAMPLE.replace('-- param: site_id (varchar, optional)', '-- param: start_date (varchar, optional)'), /parameter start_date is listed twice/],
    ['parameters bound in another order', SAMPLE.replace('CAST(? AS date) AS start_date, CAST(? AS varchar) AS site_id', 'CAST(? AS varchar) AS site_id, CAST(? AS date) AS start_date'), /in header order/],
    ['a ? outside the params CTE', SAMPLE.replace("SELECT 'what?'", "SELECT ?"), /5 \? markers for 4 parameters/],
    ['no columns', SAMPLE.replace(/-- column:.*\n/g, ''), /no "-- column:" lines/],
  ])('refuses a query file with %s', (_case, text, message) => {
    expect(() => parseNamedQuery(text, 'sample.sql')).toThrow(message);
  });

  it('names the available queries when one is unknown', () => {
    expect(() => getNamedQuery('daily_usage')).toThrow(NamedQueryError);
    expect(() => getNamedQuery('daily_usage')).toThrow(/unknown query "daily_usage"; named queries: baseload, carbon_emissions/);
  });
});

describe('binding parameters', () => {
  it('turns texts into typed values in header order, with defaults and NULL for omitted optional ones', () => {
    expect(bindParameters(sample, { start_date: '2026-03-29' })).toEqual(['2026-03-29', null, 10, 'device']);
    expect(bindParameters(sample, { start_date: '2026-03-29', site_id: 'site-sto', top_n: '-3', rank_by: 'site' })).toEqual(['2026-03-29', 'site-sto', -3, 'site']);
  });

  it.each([
    [{ start_date: '2026-02-29' }, 'parameter start_date must be a date YYYY-MM-DD, got "2026-02-29"'],
    [{ start_date: '29.03.2026' }, 'parameter start_date must be a date YYYY-MM-DD, got "29.03.2026"'],
    [{ start_date: '2026-03-29', top_n: '2.5' }, 'parameter top_n must be an integer between -2147483648 and 2147483647, got "2.5"'],
    [{ start_date: '2026-03-29', top_n: '3000000000' }, 'parameter top_n must be an integer between'],
    [{ start_date: '2026-03-29', rank_by: 'region' }, 'parameter rank_by must be one of device, site, got "region"'],
    [{}, 'missing required parameter start_date (date: first day)'],
    [{ start_date: '2026-03-29', sites: 'x' }, 'query sample has no parameter "sites" (parameters: start_date, site_id, top_n, rank_by)'],
  ])('refuses %j', (texts, message) => {
    expect(() => bindParameters(sample, texts)).toThrow(NamedQueryError);
    expect(() => bindParameters(sample, texts)).toThrow(message);
  });

  it('accepts numbers and booleans only in their own spelling', () => {
    const typed = parseNamedQuery(`-- name: typed
-- description: types
-- param: x (double, required): a number
-- param: b (boolean, optional): a flag
-- column: x (double): x
SELECT CAST(? AS double) AS x, CAST(? AS boolean) AS b`, 'typed.sql');
    expect(bindParameters(typed, { x: '1.5e3', b: 'TRUE' })).toEqual([1500, true]);
    for (const bad of ['', 'NaN', 'Infinity', '0x10', '1,5']) expect(() => bindParameters(typed, { x: bad }), bad).toThrow(/x must be a number/);
    expect(() => bindParameters(typed, { x: '1', b: 'yes' })).toThrow(/b must be true or false, got "yes"/);
  });

  it('gives Athena execution parameters as SQL literals', () => {
    expect(athenaExecutionParameters(['2026-03-29', null, 10, true, "O'Brien's"])).toEqual(["'2026-03-29'", 'NULL', '10', 'true', "'O''Brien''s'"]);
  });
});

describe('--param arguments', () => {
  it('splits name=value at the first =', () => {
    expect(parseParameterArguments(['start_date=2026-03-01', 'site_id=a=b'])).toEqual({ start_date: '2026-03-01', site_id: 'a=b' });
  });

  it('refuses a malformed or repeated parameter', () => {
    expect(() => parseParameterArguments(['start_date'])).toThrow('--param must be name=value, got "start_date"');
    expect(() => parseParameterArguments(['=x'])).toThrow(/--param must be name=value/);
    expect(() => parseParameterArguments(['a=1', 'a=2'])).toThrow('parameter a is given twice');
  });
});
