// The Trino-compatibility layer: lets DuckDB run the Athena (Trino) SQL of queries/ unchanged.
// It is three small things, each documented with why (docs/sql-dialect.md has the full story):
//   1. ADDED_FUNCTIONS: Trino functions DuckDB does not have, as DuckDB macros. Adding them
//      cannot change the meaning of DuckDB SQL, so the catalog installs them on every connection
//      (the shared views use them).
//   2. TRINO_OVERRIDES: DuckDB built-ins whose Trino namesake means something else (date_diff,
//      date_add, element_at), shadowed by macros, plus Trino's integer division. Only on connections that run
//      Trino text (installTrinoCompat), never under DuckDB-native SQL.
//   3. toDuckDbSql: no text rewrites are needed, only refusals: a Trino construct that DuckDB
//      would run with a different meaning is an error here, never a silently wrong answer.
// Macros are TEMP: they live on one connection and never leak into the converter's connections.
import type { DuckDBConnection } from './duckdb.ts';
import { maskSqlLiterals } from './sql-text.ts';

export interface CompatMacro {
  name: string;
  /** DuckDB macro definition after the name: one or more `(args) AS body` overloads. */
  definition: string;
  why: string;
}

export const ADDED_FUNCTIONS: readonly CompatMacro[] = [
  {
    name: 'with_timezone',
    definition: '(ts, zone) AS timezone(zone, CAST(ts AS TIMESTAMP))',
    why: 'Trino: the wall-clock timestamp ts read in zone, as an instant. DuckDB timezone(zone, timestamp) is exactly that.',
  },
  {
    name: 'at_timezone',
    definition: '(tstz, zone) AS timezone(zone, CAST(tstz AS TIMESTAMPTZ))',
    why: 'Trino: the same instant shown in zone. DuckDB values carry no zone, so this returns the wall-clock TIMESTAMP in zone, which is what Trino\'s CAST(at_timezone(…) AS timestamp), hour(), CAST(… AS date) see. Use it only that way, never compare its result with instants. A plain timestamp argument is read as UTC, the session zone of Athena and of openDuckDb.',
  },
  {
    name: 'sequence',
    definition: '(start, stop) AS generate_series(start, stop), (start, stop, step) AS generate_series(start, stop, step)',
    why: 'Trino sequence() is DuckDB generate_series(), both inclusive. Over dates DuckDB returns timestamps at midnight (Trino: dates): CAST elements to timestamp or date before using them. The two-argument form is for integers only (DuckDB has no default date step).',
  },
  { name: 'day_of_week', definition: '(x) AS isodow(x)', why: 'Trino day_of_week: ISO weekday, 1 = Monday … 7 = Sunday (DuckDB isodow; its dayofweek counts 0 = Sunday).' },
  { name: 'dow', definition: '(x) AS isodow(x)', why: "Trino's alias of day_of_week. DuckDB knows 'dow' only as a date_part field (0 = Sunday), never as a function." },
  { name: 'day_of_year', definition: '(x) AS dayofyear(x)', why: 'Trino day_of_year; DuckDB spells it dayofyear.' },
  { name: 'day_of_month', definition: '(x) AS dayofmonth(x)', why: 'Trino day_of_month; DuckDB spells it dayofmonth.' },
  { name: 'year_of_week', definition: '(x) AS isoyear(x)', why: 'Trino year_of_week: the ISO week-numbering year (DuckDB isoyear).' },
  { name: 'last_day_of_month', definition: '(x) AS CAST(last_day(x) AS DATE)', why: 'Trino last_day_of_month returns a date (DuckDB last_day).' },
  {
    name: 'from_iso8601_timestamp',
    definition: '(text) AS CAST(text AS TIMESTAMPTZ)',
    why: 'Trino parses ISO 8601 into an instant; without an offset the session zone applies (UTC in Athena and here). Week dates (2020-W10) are not supported.',
  },
  { name: 'from_iso8601_date', definition: '(text) AS CAST(text AS DATE)', why: 'Calendar dates only (no week or ordinal dates).' },
  { name: 'to_unixtime', definition: '(ts) AS epoch(ts)', why: 'Seconds since the epoch as a double; a plain timestamp is UTC (the session zone).' },
  {
    name: 'from_unixtime',
    definition: '(seconds) AS to_timestamp(seconds), (seconds, zone) AS timezone(zone, to_timestamp(seconds))',
    why: 'Seconds since the epoch as an instant; with a zone, the wall-clock time there (as at_timezone).',
  },
  { name: 'regexp_like', definition: '(text, pattern) AS regexp_matches(text, pattern)', why: 'Both are true when the pattern matches anywhere in the text (Java vs RE2 syntax: stay with the common subset).' },
  { name: 'cardinality', definition: '(x) AS len(x)', why: 'Number of elements of an array.' },
  {
    name: 'json_extract_scalar',
    definition: '(json, path) AS json_extract_string(json, path)',
    why: 'A scalar at a JSON path as varchar. For an object or array Trino returns NULL and DuckDB the JSON text: use it on scalars.',
  },
  {
    name: 'approx_percentile',
    definition: '(x, p) AS approx_quantile(x, p)',
    why: 'Both are approximate (different sketches): answers can differ slightly. Named queries compute exact medians instead.',
  },
  { name: 'approx_distinct', definition: '(x) AS approx_count_distinct(x)', why: 'Approximate distinct count (HyperLogLog in both; estimates can differ).' },
];

export const TRINO_OVERRIDES: readonly CompatMacro[] = [
  {
    name: 'date_diff',
    definition: '(unit, a, b) AS date_sub(unit, a, b)',
    why: "Trino counts whole units elapsed from a to b (date_diff('day', 23:00, 01:00 next day) = 0); DuckDB's date_diff counts boundaries crossed (= 1). DuckDB date_sub has Trino's meaning.",
  },
  {
    name: 'date_add',
    definition: "(unit, amount, x) AS x + CASE lower(unit) WHEN 'millisecond' THEN to_milliseconds(amount) WHEN 'second' THEN to_seconds(amount) WHEN 'minute' THEN to_minutes(amount) WHEN 'hour' THEN to_hours(amount) WHEN 'day' THEN to_days(amount) WHEN 'week' THEN to_weeks(amount) WHEN 'month' THEN to_months(amount) WHEN 'quarter' THEN to_months(3 * amount) WHEN 'year' THEN to_years(amount) END",
    why: "Trino date_add(unit, amount, x); DuckDB's own date_add(x, interval) takes other arguments. On a date DuckDB returns a timestamp at midnight (Trino: a date): CAST(… AS date) when the type matters.",
  },
  {
    name: 'element_at',
    definition: '(container, key) AS container[key]',
    why: 'Trino element_at(array, i) (1-based, negative from the end, NULL out of range) and element_at(map, key) (the value); DuckDB element_at returns a list for maps and rejects arrays.',
  },
];

/** Settings of a Trino-text connection. */
export const TRINO_SETTINGS: readonly { sql: string; why: string }[] = [
  { sql: 'SET integer_division = true', why: 'Trino divides integers as integers (7 / 2 = 3); DuckDB by default returns 3.5.' },
];

/** Trino constructs DuckDB parses but would run with another meaning, refused with the portable spelling. */
export const REFUSED_CONSTRUCTS: readonly { pattern: RegExp; message: string }[] = [
  {
    pattern: /\bAT\s+TIME\s+ZONE\b/i,
    message:
      "AT TIME ZONE means different things in Trino and DuckDB (DuckDB reads a plain timestamp as wall-clock time in the zone, Trino as UTC); write at_timezone(with_timezone(ts, 'UTC'), zone) for the wall-clock time in zone",
  },
];

export class TrinoCompatError extends Error {
  override name = 'TrinoCompatError';
}

async function createMacros(connection: DuckDBConnection, macros: readonly CompatMacro[]): Promise<void> {
  const sql = macros.map((m) => `CREATE OR REPLACE TEMP MACRO ${m.name}${m.definition};`).join('\n');
  await connection.run(sql);
}

/** Adds the Trino functions DuckDB lacks to this connection (harmless to DuckDB-native SQL). */
export async function installTrinoFunctions(connection: DuckDBConnection): Promise<void> {
  await createMacros(connection, ADDED_FUNCTIONS);
}

/** Makes this connection speak Trino: added functions, overridden built-ins, integer division. Do not run DuckDB-native SQL on it afterwards. */
export async function installTrinoCompat(connection: DuckDBConnection): Promise<void> {
  await createMacros(connection, [...ADDED_FUNCTIONS, ...TRINO_OVERRIDES]);
  for (const setting of TRINO_SETTINGS) await connection.run(setting.sql);
}

/**
 * Trino text as DuckDB will run it. No text rewrites are needed (every difference met so far is
 * a macro or a setting), so this returns the text itself once no refused construct is found.
 */
export function toDuckDbSql(trinoSql: string): string {
  const code = maskSqlLiterals(trinoSql);
  for (const { pattern, message } of REFUSED_CONSTRUCTS) {
    const match = pattern.exec(code);
    if (match) throw new TrinoCompatError(`${message} (at offset ${match.index})`);
  }
  return trinoSql;
}
