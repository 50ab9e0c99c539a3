// The named queries of queries/*.sql: their header (what they answer, their parameters and
// columns), and turning parameter text from a CLI or an API into typed, bound values. The header
// format is defined here and nowhere else (queries/README.md shows an example):
//
//   -- name: daily_consumption                 (= the file name)
//   -- description: kWh per site, device and local day …
//   --   continuation lines start with "--" and two or more spaces
//   -- param: start_date (date, required): first local day, inclusive
//   -- param: site_id (varchar, optional): only this site; all sites when omitted
//   -- param: top_n (integer, default 10): how many to list
//   -- param: rank_by (varchar, default device, one of site|device): what to rank
//   -- column: day (date): local day in the site's timezone
//
// The header is the leading block of `--` lines. Parameters are bound, never pasted into SQL:
// the query's first CTE is `params AS (SELECT CAST(? AS <type>) AS <name>, …)` with every
// parameter exactly once, in header order (checked on load), so Athena execution parameters and
// DuckDB prepared parameters bind the same list.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isValidDate } from '../schema/ids.ts';
import { countParameterMarkers, maskSqlLiterals } from './sql-text.ts';

export const QUERIES_DIR = fileURLToPath(new URL('../../queries/', import.meta.url));

export const PARAM_TYPES = ['date', 'varchar', 'integer', 'bigint', 'double', 'boolean'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];
export type ParamValue = string | number | boolean | null;

export interface QueryParam {
  name: string;
  type: ParamType;
  required: boolean;
  /** The default as written in the header (already validated), when the parameter has one. */
  defaultText?: string;
  /** Allowed values (varchar only). */
  oneOf?: string[];
  description: string;
}

export interface QueryColumn {
  name: string;
  /** Athena (Trino) type name, e.g. varchar, date, double, bigint, timestamp(3), boolean. */
  type: string;
  description: string;
}

export interface NamedQuery {
  name: string;
  description: string;
  params: QueryParam[];
  columns: QueryColumn[];
  /** The whole file: header comments and the Athena SQL. */
  sql: string;
  file: string;
}

/** A query that does not exist or a parameter that does not fit: a message for the user. */
export class NamedQueryError extends Error {
  override name = 'NamedQueryError';
}

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
const HEADER_LINE = /^--\s?(name|description|param|column):\s*(.*)$/;
const CONTINUATION = /^--\s{2,}(\S.*)$/;
const PARAM_SPEC = /^([a-z][a-z0-9_]*)\s*\(([^)]*)\):\s*(.+)$/;
const COLUMN_SPEC = /^([a-z][a-z0-9_]*)\s*\(([a-z0-9_(), ]+?)\):\s*(.+)$/;
const PARAM_CAST = /CAST\(\s*\?\s+AS\s+(\w+)\s*\)\s+AS\s+(\w+)/gi;

/** Parses one query file; throws an Error naming the file and the broken rule. */
export function parseNamedQuery(sql: string, file: string): NamedQuery {
  const fail = (message: string): never => { throw new Error(`${file}: ${message}`); };
  const entries: { key: string; text: string }[] = [];
  for (const line of sql.split('\n')) {
    if (!line.startsWith('--')) break;
    const entry = HEADER_LINE.exec(line);
    const continuation = CONTINUATION.exec(line);
    if (entry) entries.push({ key: entry[1] as string, text: (entry[2] as string).trim() });
    else if (continuation && entries.length) entries[entries.length - 1]!.text += ` ${(continuation[1] as string).trim()}`;
    else if (line.trim() !== '--') fail(`header line is not "-- name|description|param|column: …" or a continuation: ${JSON.stringify(line)}`);
  }
  const single = (key: string): string => {
    const found = entries.filter((e) => e.key === key);
    if (found.length !== 1 || !found[0]!.text) fail(`header needs exactly one non-empty "-- ${key}:" line`);
    return found[0]!.text;
  };
  const name = single('name');
  if (name !== basename(file, '.sql')) fail(`name ${name} differs from the file name`);
  const description = single('description');
  const params = entries.filter((e) => e.key === 'param').map((e) => parseParam(e.text, fail));
  const columns = entries.filter((e) => e.key === 'column').map((e) => {
    const m = COLUMN_SPEC.exec(e.text) ?? fail(`column must read "name (type): description": ${e.text}`);
    return { name: m[1] as string, type: (m[2] as string).trim(), description: (m[3] as string).trim() };
  });
  if (!columns.length) fail('header lists no "-- column:" lines');
  for (const [what, names] of [['parameter', params.map((p) => p.name)], ['column', columns.map((c) => c.name)]] as const) {
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) fail(`${what} ${duplicate} is listed twice`);
  }
  checkParameterMarkers(sql, params, fail);
  return { name, description, params, columns, sql, file };
}

function parseParam(text: string, fail: (message: string) => never): QueryParam {
  const m = PARAM_SPEC.exec(text) ?? fail(`param must read "name (type, required|optional|default <value>[, one of a|b]): description": ${text}`);
  const [typeText, ...options] = (m[2] as string).split(',').map((s) => s.trim());
  if (!PARAM_TYPES.includes(typeText as ParamType)) fail(`param ${m[1]}: type ${typeText} is not one of ${PARAM_TYPES.join(', ')}`);
  const param: QueryParam = { name: m[1] as string, type: typeText as ParamType, required: false, description: (m[3] as string).trim() };
  let presence = 0;
  for (const option of options) {
    if (option === 'required' || option === 'optional') {
      param.required = option === 'required';
      presence++;
    } else if (option.startsWith('default ')) {
      param.defaultText = option.slice('default '.length).trim();
      presence++;
    } else if (option.startsWith('one of ') && param.type === 'varchar') {
      param.oneOf = option.slice('one of '.length).split('|').map((s) => s.trim());
    } else {
      fail(`param ${param.name}: unknown option ${JSON.stringify(option)}`);
    }
  }
  if (presence !== 1) fail(`param ${param.name}: say exactly one of required, optional, default <value>`);
  if (param.defaultText !== undefined) {
    const problem = coerce(param, param.defaultText);
    if (typeof problem === 'object' && problem !== null && 'error' in problem) fail(`param ${param.name}: default ${problem.error}`);
  }
  return param;
}

/** The SQL must bind each header parameter exactly once, in order, cast to its header type. */
function checkParameterMarkers(sql: string, params: QueryParam[], fail: (message: string) => never): void {
  const code = maskSqlLiterals(sql);
  const casts = [...code.matchAll(PARAM_CAST)].map((m) => ({ type: (m[1] as string).toLowerCase(), name: m[2] as string }));
  const expected = params.map((p) => ({ type: p.type, name: p.name }));
  if (JSON.stringify(casts) !== JSON.stringify(expected)) {
    fail(`parameters must be bound as CAST(? AS <type>) AS <name> in header order: header ${describe(expected)}, SQL ${describe(casts)}`);
  }
  const markers = countParameterMarkers(sql);
  if (markers !== params.length) fail(`SQL has ${markers} ? markers for ${params.length} parameters`);
}

const describe = (list: { type: string; name: string }[]): string => `[${list.map((p) => `${p.name} ${p.type}`).join(', ')}]`;

let cache: { dir: string; queries: NamedQuery[] } | undefined;

/** Every named query in `dir` (default: queries/), sorted by name. */
export function loadNamedQueries(dir = QUERIES_DIR): NamedQuery[] {
  if (cache?.dir !== dir) {
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
    cache = { dir, queries: files.map((f) => parseNamedQuery(readFileSync(join(dir, f), 'utf8'), f)) };
  }
  return cache.queries;
}

export function getNamedQuery(name: string, queries = loadNamedQueries()): NamedQuery {
  const query = queries.find((q) => q.name === name);
  if (!query) throw new NamedQueryError(`unknown query ${JSON.stringify(name)}; named queries: ${queries.map((q) => q.name).join(', ')}`);
  return query;
}

const TYPE_HINT: Record<ParamType, string> = {
  date: 'a date YYYY-MM-DD',
  varchar: 'text',
  integer: 'an integer between -2147483648 and 2147483647',
  bigint: 'an integer',
  double: 'a number',
  boolean: 'true or false',
};
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER = /^[+-]?\d+$/;

/** The typed value of one parameter's text, or `{ error }` saying what was expected. */
function coerce(param: QueryParam, text: string): ParamValue | { error: string } {
  const bad = { error: `must be ${TYPE_HINT[param.type]}, got ${JSON.stringify(text)}` };
  switch (param.type) {
    case 'date':
      return isValidDate(text) ? text : bad;
    case 'integer':
    case 'bigint': {
      const value = Number(text);
      const limit = param.type === 'integer' ? 2 ** 31 : Number.MAX_SAFE_INTEGER + 1;
      return INTEGER.test(text) && value >= -limit && value < limit ? value : bad;
    }
    case 'double':
      return NUMBER.test(text) && Number.isFinite(Number(text)) ? Number(text) : bad;
    case 'boolean':
      return /^(true|false)$/i.test(text) ? text.toLowerCase() === 'true' : bad;
    case 'varchar':
      return param.oneOf && !param.oneOf.includes(text) ? { error: `must be one of ${param.oneOf.join(', ')}, got ${JSON.stringify(text)}` } : text;
  }
}

/**
 * Parameter texts (`{ start_date: '2026-03-01' }`) as the values to bind, in header order:
 * defaults filled in, omitted optional parameters NULL. Throws NamedQueryError for an unknown
 * parameter, a missing required one or a value of the wrong type.
 */
export function bindParameters(query: NamedQuery, texts: Record<string, string>): ParamValue[] {
  const known = new Set(query.params.map((p) => p.name));
  for (const name of Object.keys(texts)) {
    if (!known.has(name)) {
      const list = query.params.length ? query.params.map((p) => p.name).join(', ') : 'none';
      throw new NamedQueryError(`query ${query.name} has no parameter ${JSON.stringify(name)} (parameters: ${list})`);
    }
  }
  return query.params.map((param) => {
    const text = Object.hasOwn(texts, param.name) ? texts[param.name] : param.defaultText;
    if (text === undefined) {
      if (param.required) throw new NamedQueryError(`query ${query.name}: missing required parameter ${param.name} (${param.type}: ${param.description})`);
      return null;
    }
    const value = coerce(param, text);
    if (value !== null && typeof value === 'object') throw new NamedQueryError(`query ${query.name}: parameter ${param.name} ${value.error}`);
    return value;
  });
}

/**
 * Bound values as Athena execution parameters: Athena substitutes each `?` with the text as a
 * SQL literal, so strings are quoted (and dates too: the query casts them) and NULL is NULL.
 */
export function athenaExecutionParameters(values: readonly ParamValue[]): string[] {
  return values.map((value) => {
    if (value === null) return 'NULL';
    if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
    return String(value);
  });
}

/** Parses `k=v` parameter arguments (as given to `--param`) into texts; throws NamedQueryError for a malformed or repeated one. */
export function parseParameterArguments(args: readonly string[]): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq).trim() : '';
    if (!IDENTIFIER.test(name)) throw new NamedQueryError(`--param must be name=value, got ${JSON.stringify(arg)}`);
    if (Object.hasOwn(texts, name)) throw new NamedQueryError(`parameter ${name} is given twice`);
    texts[name] = arg.slice(eq + 1);
  }
  return texts;
}
