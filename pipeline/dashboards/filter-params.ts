// A dashboard's filter values (from a URL's query string) and the named-query parameter texts
// they become for each dataset. Values are only checked for shape here; they are bound as query
// parameters by pipeline/query/named-queries.ts, never pasted into SQL. A site_id is bound as
// given: a site that does not exist simply matches no rows.
import { DAY_MS, isValidDate } from '../schema/ids.ts';
import type { DashboardDefinition, DatasetDefinition } from './definitions.ts';

/** Filter values a user got wrong: the message is for them (HTTP 400). */
export class FilterError extends Error {
  override name = 'FilterError';
}

/** Parameter name -> text, for every filter parameter that is set (an empty site = all sites). */
export type FilterValues = Record<string, string>;

/** A period longer than this is refused rather than scanned (about 5 years of local days). */
export const MAX_PERIOD_DAYS = 5 * 366;

/** month_to_date for `today` (YYYY-MM-DD): the first of its month to today, inclusive. */
export function monthToDate(today: string): { start_date: string; end_date: string } {
  return { start_date: `${today.slice(0, 8)}01`, end_date: today };
}

/** The filter parameter names a dashboard accepts, in its filters' order. */
export function filterParameterNames(dashboard: DashboardDefinition): string[] {
  return dashboard.filters.flatMap((f) => (f.kind === 'site' ? [f.param] : [...f.params]));
}

/**
 * The dashboard's filter values from query-string pairs; a date range left out is the filter's
 * default for `today`. Throws FilterError for an unknown or repeated parameter, a malformed
 * date, or a range that ends before it starts or is too long.
 */
export function parseFilterValues(dashboard: DashboardDefinition, pairs: Iterable<[string, string]>, today: string): FilterValues {
  const known = filterParameterNames(dashboard);
  const given: Record<string, string> = {};
  for (const [name, value] of pairs) {
    if (!known.includes(name)) throw new FilterError(`unknown filter ${JSON.stringify(name)}; filters of ${dashboard.id}: ${known.join(', ')}`);
    if (Object.hasOwn(given, name)) throw new FilterError(`filter ${name} is given twice`);
    given[name] = value;
  }
  const values: FilterValues = {};
  for (const filter of dashboard.filters) {
    if (filter.kind === 'site') {
      const site = given[filter.param] ?? '';
      if (site !== '') values[filter.param] = site;
      continue;
    }
    const [startName, endName] = filter.params;
    const defaults = monthToDate(today);
    const start = given[startName] || defaults.start_date;
    const end = given[endName] || defaults.end_date;
    for (const [name, value] of [[startName, start], [endName, end]] as const) {
      if (!isValidDate(value)) throw new FilterError(`${name} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
    }
    if (end < start) throw new FilterError(`${endName} ${end} is before ${startName} ${start}`);
    if ((Date.parse(end) - Date.parse(start)) / DAY_MS + 1 > MAX_PERIOD_DAYS) {
      throw new FilterError(`the period ${start} to ${end} is longer than ${MAX_PERIOD_DAYS} days`);
    }
    values[startName] = start;
    values[endName] = end;
  }
  return values;
}

/** The parameter texts of one dataset's query: its fixed parameters, then the filter values. */
export function datasetParameters(dataset: DatasetDefinition, filters: FilterValues): Record<string, string> {
  return { ...dataset.fixedParams, ...filters };
}
