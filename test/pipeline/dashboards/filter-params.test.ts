import { describe, expect, it } from 'vitest';
import { DASHBOARDS, getDataset } from '../../../pipeline/dashboards/definitions.ts';
import { datasetParameters, FilterError, monthToDate, parseFilterValues } from '../../../pipeline/dashboards/filter-params.ts';

const overview = DASHBOARDS.find((d) => d.id === 'energy-overview')!;
const parse = (query: string, today = '2026-03-18') => parseFilterValues(overview, new URLSearchParams(query).entries(), today);

describe('filter values', () => {
  it('takes the site and the period from the query string', () => {
    expect(parse('site_id=site-sto&start_date=2026-02-01&end_date=2026-02-28')).toEqual({ site_id: 'site-sto', start_date: '2026-02-01', end_date: '2026-02-28' });
  });

  it('means all sites for an empty site, and month to date for a missing period', () => {
    expect(parse('site_id=')).toEqual({ start_date: '2026-03-01', end_date: '2026-03-18' });
    expect(monthToDate('2026-12-31')).toEqual({ start_date: '2026-12-01', end_date: '2026-12-31' });
  });

  it('keeps a hostile site text as it is: it will be bound, not pasted', () => {
    expect(parse("site_id=x'%20OR%201=1--&start_date=2026-03-01&end_date=2026-03-02").site_id).toBe("x' OR 1=1--");
  });

  it.each([
    ['start_date=2026-3-1&end_date=2026-03-31', 'start_date must be a date YYYY-MM-DD, got "2026-3-1"'],
    ['start_date=2026-03-01&end_date=2026-02-29', 'end_date must be a date YYYY-MM-DD, got "2026-02-29"'],
    ['start_date=2026-03-10&end_date=2026-03-09', 'end_date 2026-03-09 is before start_date 2026-03-10'],
    ['start_date=2000-01-01&end_date=2026-03-09', 'the period 2000-01-01 to 2026-03-09 is longer than 1830 days'],
    ['top_n=99', 'unknown filter "top_n"; filters of energy-overview: site_id, start_date, end_date'],
    ['site_id=a&site_id=b', 'filter site_id is given twice'],
  ])('refuses %s', (query, message) => {
    expect(() => parse(query)).toThrow(new FilterError(message));
  });
});

describe('dataset parameters', () => {
  it('adds the filter values to the dataset\'s fixed parameters', () => {
    expect(datasetParameters(getDataset('top_consumers'), { site_id: 'site-nyc', start_date: '2026-03-01', end_date: '2026-03-18' }))
      .toEqual({ rank_by: 'device', top_n: '10', site_id: 'site-nyc', start_date: '2026-03-01', end_date: '2026-03-18' });
  });
});
