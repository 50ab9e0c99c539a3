// A dashboard dataset (pipeline/dashboards/definitions.ts) as QuickSight custom SQL. QuickSight
// cannot bind Athena `?` parameters, so each marker is replaced by an expression built only
// from code constants: a rolling window for start_date/end_date (the definition's
// lookbackDays), the definition's fixedParams and header defaults as bound literals, NULL for
// the other optional parameters. No value from a user ever reaches this SQL.
import type { DatasetDefinition } from '../../pipeline/dashboards/definitions.ts';
import { athenaExecutionParameters, bindParameters, getNamedQuery, type NamedQuery } from '../../pipeline/query/named-queries.ts';
import { maskSqlLiterals } from '../../pipeline/query/sql-text.ts';

/** Window parameters every dataset's query must have (the dashboard's date filter narrows inside). */
const WINDOW = ['start_date', 'end_date'] as const;
/** A placeholder date to let bindParameters check the other parameters; replaced below. */
const ANY_DAY = '2000-01-01';

/** Athena expressions for the rolling window, in UTC days (the refresh day and lookbackDays before it). */
export function windowExpressions(lookbackDays: number): Record<(typeof WINDOW)[number], string> {
  if (!Number.isSafeInteger(lookbackDays) || lookbackDays < 1) throw new Error(`lookbackDays must be a positive integer, got ${lookbackDays}`);
  return { start_date: `date_add('day', -${lookbackDays}, current_date)`, end_date: 'current_date' };
}

/** The text that replaces each `?` of the query, in header order. */
export function datasetParameterTexts(dataset: DatasetDefinition, query: NamedQuery = getNamedQuery(dataset.query)): string[] {
  for (const name of WINDOW) {
    if (!query.params.some((p) => p.name === name)) throw new Error(`dataset ${dataset.name}: query ${query.name} has no ${name} parameter for the rolling window`);
  }
  for (const name of WINDOW) {
    if (dataset.fixedParams && Object.hasOwn(dataset.fixedParams, name)) throw new Error(`dataset ${dataset.name}: ${name} is set by lookbackDays, not fixedParams`);
  }
  const literals = athenaExecutionParameters(bindParameters(query, { ...dataset.fixedParams, start_date: ANY_DAY, end_date: ANY_DAY }));
  const window = windowExpressions(dataset.lookbackDays);
  return query.params.map((p, i) => (p.name === 'start_date' || p.name === 'end_date' ? window[p.name] : (literals[i] as string)));
}

/**
 * The custom SQL of a dataset: the named query without its header comments (QuickSight wraps
 * custom SQL in a subquery) with every `?` replaced, in order, by its parameter text.
 */
export function datasetSql(dataset: DatasetDefinition, query: NamedQuery = getNamedQuery(dataset.query)): string {
  const texts = datasetParameterTexts(dataset, query);
  const lines = query.sql.split('\n');
  const body = lines.slice(lines.findIndex((l) => !l.startsWith('--'))).join('\n').trim().replace(/;$/, '');
  const masked = maskSqlLiterals(body);
  let out = '';
  let from = 0;
  let next = 0;
  for (let i = 0; i < masked.length; i++) {
    if (masked[i] !== '?') continue;
    out += body.slice(from, i) + texts[next++];
    from = i + 1;
  }
  if (next !== texts.length) throw new Error(`dataset ${dataset.name}: ${next} ? markers for ${texts.length} parameters`);
  return out + body.slice(from);
}

/** QuickSight input column type of a header (Athena) type. */
export function quicksightColumnType(athenaType: string): 'STRING' | 'DATETIME' | 'INTEGER' | 'DECIMAL' | 'BIT' {
  const type = athenaType.toLowerCase();
  if (type === 'varchar' || type.startsWith('varchar(')) return 'STRING';
  if (type === 'date' || type.startsWith('timestamp')) return 'DATETIME';
  if (type === 'bigint' || type === 'integer') return 'INTEGER';
  if (type === 'double' || type.startsWith('decimal')) return 'DECIMAL';
  if (type === 'boolean') return 'BIT';
  throw new Error(`no QuickSight column type for ${JSON.stringify(athenaType)}`);
}

/** The dataset's input columns, typed from the query header. */
export function datasetColumns(dataset: DatasetDefinition): { name: string; type: string }[] {
  return getNamedQuery(dataset.query).columns.map((c) => ({ name: c.name, type: quicksightColumnType(c.type) }));
}
