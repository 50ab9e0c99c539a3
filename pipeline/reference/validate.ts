// Validation of a reference table CSV (sites, tariffs, emission_factors) before it is installed.
// Pure: text in, either typed rows plus the canonical CSV to install, or every problem found,
// each with the file line, column, value and the rule it breaks.
import { isValidDate, isValidId } from '../schema/ids.ts';
import type { Column } from '../schema/readings.ts';
import { REFERENCE_TABLES, TARIFF_DAYS, type ReferenceTableName, type TariffDays } from '../schema/reference.ts';
import { formatCsv, parseCsv, type CsvRecord } from './csv.ts';
import { checkBandCoverage, describeDays, describeRanges, formatMinutes, parseBandEdge, type Band } from './tariff-bands.ts';
import { timeZoneProblem } from './time-zone.ts';

/** Stable rule names, one per kind of problem. */
export type ReferenceRule =
  | 'encoding' | 'csv_syntax' | 'header' | 'required' | 'control_character' | 'id' | 'timezone' | 'number' | 'negative'
  | 'date' | 'period_order' | 'days' | 'time' | 'empty_band' | 'currency' | 'duplicate' | 'currency_mismatch'
  | 'band_overlap' | 'band_gap' | 'period_overlap';

export interface ReferenceProblem {
  /** 1-based line of the file. */
  line: number;
  /** Null for problems of a group of rows as a whole (e.g. a gap between tariff bands). */
  column: string | null;
  value: string | null;
  rule: ReferenceRule;
  message: string;
}

export type ReferenceValue = string | number | null;
export interface ReferenceRow { line: number; values: Record<string, ReferenceValue> }

/** A row while it is checked: its cells as written (trimmed) and whether all of them passed. */
interface CheckedRow extends ReferenceRow { texts: Record<string, string>; valid: boolean }

export type ReferenceValidation =
  | { ok: true; table: ReferenceTableName; rows: ReferenceRow[]; /** The canonical CSV to install. */ csv: string }
  | { ok: false; table: ReferenceTableName; problems: ReferenceProblem[] };

/** `line 4, column end_local, value "25:00": must be … [time]` */
export function formatProblem(p: ReferenceProblem): string {
  const where = [`line ${p.line}`, p.column === null ? null : `column ${p.column}`, p.value === null ? null : `value ${JSON.stringify(p.value)}`];
  return `${where.filter((w) => w !== null).join(', ')}: ${p.message} [${p.rule}]`;
}

// ---- single values --------------------------------------------------------------------------

type FieldRule = { rule: ReferenceRule; check: (value: string) => string | null };

const ID: FieldRule = { rule: 'id', check: (v) => (isValidId(v) ? null : 'must be 1–64 characters of A-Z a-z 0-9 _ . : - starting with a letter or digit') };
const TIME_ZONE: FieldRule = { rule: 'timezone', check: timeZoneProblem };
const DAYS: FieldRule = { rule: 'days', check: (v) => ((TARIFF_DAYS as readonly string[]).includes(v) ? null : `must be one of ${TARIFF_DAYS.join(', ')}`) };
const edge = (which: 'start' | 'end'): FieldRule => ({ rule: 'time', check: (v) => { const m = parseBandEdge(v, which); return typeof m === 'string' ? m : null; } });
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const CURRENCY: FieldRule = { rule: 'currency', check: (v) => (CURRENCIES.has(v) ? null : 'must be an ISO 4217 currency code such as SEK, EUR or USD') };

/** Rules beyond the column's type, by table and column. */
const FIELD_RULES: Record<ReferenceTableName, Record<string, FieldRule>> = {
  sites: { site_id: ID, timezone: TIME_ZONE, tariff_id: ID, region: ID },
  tariffs: { tariff_id: ID, band: ID, days: DAYS, start_local: edge('start'), end_local: edge('end'), currency: CURRENCY },
  emission_factors: { region: ID },
};

const DECIMAL = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The typed value of one cell, or the problem with it. Empty means null. */
function parseCell(table: ReferenceTableName, column: Column, text: string): ReferenceValue | { rule: ReferenceRule; message: string } {
  if (text === '') return column.nullable ? null : { rule: 'required', message: 'is required' };
  if (CONTROL.test(text)) return { rule: 'control_character', message: 'must not contain control characters (tabs, line breaks)' };
  if (column.type === 'double') {
    if (/^-/.test(text) && DECIMAL.test(text.slice(1))) return { rule: 'negative', message: 'must be >= 0' };
    const n = Number(text);
    if (!DECIMAL.test(text) || !Number.isFinite(n)) return { rule: 'number', message: 'must be a finite decimal number such as 0.25' };
    return n;
  }
  if (column.type === 'date' && !isValidDate(text)) return { rule: 'date', message: 'must be a calendar date YYYY-MM-DD' };
  const rule = FIELD_RULES[table][column.name];
  const message = rule?.check(text);
  return rule && message ? { rule: rule.rule, message } : text;
}

// ---- the whole file -------------------------------------------------------------------------

export function validateReferenceCsv(table: ReferenceTableName, input: string | Uint8Array): ReferenceValidation {
  const fail = (problems: ReferenceProblem[]): ReferenceValidation => ({ ok: false, table, problems });
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return fail([{ line: 1, column: null, value: null, rule: 'encoding', message: 'the file is not UTF-8 text' }]);
  }
  const csv = parseCsv(text);
  if (!csv.ok) return fail([{ line: csv.line, column: null, value: null, rule: 'csv_syntax', message: csv.message }]);

  const columns = REFERENCE_TABLES[table];
  const headerProblems = checkHeader(table, columns, csv.header);
  if (headerProblems.length) return fail(headerProblems);
  const position = new Map(csv.header.fields.map((name, i) => [name, i]));

  const problems: ReferenceProblem[] = [];
  const rows: CheckedRow[] = [];
  for (const record of csv.records) {
    const row: CheckedRow = { line: record.line, values: {}, texts: {}, valid: true };
    for (const column of columns) {
      const cell = record.fields[position.get(column.name) ?? -1] ?? '';
      row.texts[column.name] = cell;
      const parsed = parseCell(table, column, cell);
      if (parsed !== null && typeof parsed === 'object') {
        problems.push({ line: record.line, column: column.name, value: cell, rule: parsed.rule, message: `${column.name} ${parsed.message}` });
        row.valid = false;
      } else row.values[column.name] = parsed;
    }
    rows.push(row);
  }
  for (const problem of ROW_CHECKS[table](rows.filter((r) => r.valid))) {
    problems.push(problem);
    rows.find((r) => r.line === problem.line)!.valid = false;
  }
  // Checks across rows see only rows whose every value is valid; a group with a broken row is judged once it is fixed.
  problems.push(...GROUP_CHECKS[table](rows));

  if (problems.length) return fail(problems.sort((a, b) => a.line - b.line));
  return {
    ok: true, table,
    rows: rows.map(({ line, values }) => ({ line, values })),
    csv: formatCsv(columns.map((c) => c.name), rows.map((r) => columns.map((c) => r.texts[c.name] ?? ''))),
  };
}

function checkHeader(table: ReferenceTableName, columns: readonly Column[], { line, fields: header }: CsvRecord): ReferenceProblem[] {
  const known = new Set(columns.map((c) => c.name));
  const problem = (value: string | null, message: string): ReferenceProblem => ({ line, column: null, value, rule: 'header', message });
  const problems: ReferenceProblem[] = [];
  header.forEach((name, i) => {
    if (!known.has(name)) problems.push(problem(name, `unknown column for ${table} (columns: ${[...known].join(', ')})`));
    else if (header.indexOf(name) !== i) problems.push(problem(name, 'column appears twice'));
  });
  for (const c of columns) if (!c.nullable && !header.includes(c.name)) problems.push(problem(null, `required column ${c.name} is missing`));
  return problems;
}

// ---- checks across columns and rows ---------------------------------------------------------

const str = (row: ReferenceRow, name: string): string => row.values[name] as string;
const optionalStr = (row: ReferenceRow, name: string): string | null => row.values[name] as string | null;

const ROW_CHECKS: Record<ReferenceTableName, (rows: ReferenceRow[]) => ReferenceProblem[]> = {
  sites: () => [],
  tariffs: (rows) => [
    ...periodOrder(rows),
    ...rows.filter((r) => str(r, 'start_local') === str(r, 'end_local')).map((r): ReferenceProblem => ({
      line: r.line, column: 'end_local', value: str(r, 'end_local'), rule: 'empty_band',
      message: 'end_local equals start_local: a band must not be empty (a whole day is 00:00–24:00)',
    })),
  ],
  emission_factors: periodOrder,
};

function periodOrder(rows: ReferenceRow[]): ReferenceProblem[] {
  return rows.filter((r) => { const to = optionalStr(r, 'valid_to'); return to !== null && to < str(r, 'valid_from'); })
    .map((r) => ({ line: r.line, column: 'valid_to', value: str(r, 'valid_to'), rule: 'period_order', message: `valid_to is before valid_from ${str(r, 'valid_from')}` }));
}

const GROUP_CHECKS: Record<ReferenceTableName, (rows: CheckedRow[]) => ReferenceProblem[]> = {
  sites: (rows) => duplicates(rows.filter((r) => r.valid), 'site_id'),
  tariffs: tariffChecks,
  emission_factors: (rows) => periodOverlaps(groupBy(rows.filter((r) => r.valid), (r) => str(r, 'region')), 'region'),
};

function groupBy<R>(rows: R[], key: (row: R) => string): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

function duplicates(rows: ReferenceRow[], column: string): ReferenceProblem[] {
  const first = new Map<string, number>();
  const problems: ReferenceProblem[] = [];
  for (const row of rows) {
    const value = str(row, column);
    const line = first.get(value);
    if (line === undefined) first.set(value, row.line);
    else problems.push({ line: row.line, column, value, rule: 'duplicate', message: `${column} ${value} is already defined on line ${line}` });
  }
  return problems;
}

/** A validity period as written; valid_to null = open-ended. Both ends inclusive. */
const periodOf = (row: ReferenceRow): { from: string; to: string | null } => ({ from: str(row, 'valid_from'), to: optionalStr(row, 'valid_to') });
const describePeriod = ({ from, to }: { from: string; to: string | null }): string => `${from}..${to ?? 'open'}`;
const periodsOverlap = (a: { from: string; to: string | null }, b: { from: string; to: string | null }): boolean =>
  (b.to === null || a.from <= b.to) && (a.to === null || b.from <= a.to);

/**
 * Within each group, distinct validity periods must not overlap (rows with the *same* period are
 * one version of a tariff). Reported on the later-starting row.
 */
function periodOverlaps(groups: Map<string, ReferenceRow[]>, what: string): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  for (const [key, rows] of groups) {
    const versions = [...new Map(rows.map((r) => [describePeriod(periodOf(r)), r])).values()]
      .sort((a, b) => str(a, 'valid_from').localeCompare(str(b, 'valid_from')) || a.line - b.line);
    versions.forEach((later, i) => {
      const earlier = versions.slice(0, i).find((e) => periodsOverlap(periodOf(e), periodOf(later)));
      if (earlier) {
        problems.push({
          line: later.line, column: 'valid_from', value: str(later, 'valid_from'), rule: 'period_overlap',
          message: `${what} ${key}: period ${describePeriod(periodOf(later))} overlaps period ${describePeriod(periodOf(earlier))} on line ${earlier.line}`,
        });
      }
    });
  }
  return problems;
}

function tariffChecks(rows: CheckedRow[]): ReferenceProblem[] {
  const valid = rows.filter((r) => r.valid);
  const problems = periodOverlaps(groupBy(valid, (r) => str(r, 'tariff_id')), 'tariff');
  // Versions are keyed on the text as written, so that a row with a broken value still marks its version.
  const versionKey = (r: CheckedRow): string => `${r.texts.tariff_id} ${r.texts.valid_from}..${r.texts.valid_to || 'open'}`;
  for (const [version, members] of groupBy(rows, versionKey)) {
    if (members.some((r) => !r.valid)) continue;
    const currency = str(members[0]!, 'currency');
    for (const r of members.filter((r) => str(r, 'currency') !== currency)) {
      problems.push({ line: r.line, column: 'currency', value: str(r, 'currency'), rule: 'currency_mismatch', message: `tariff ${version} mixes currencies: ${currency} on line ${members[0]!.line}` });
    }
    problems.push(...bandProblems(version, members));
  }
  return problems;
}

function bandProblems(version: string, rows: ReferenceRow[]): ReferenceProblem[] {
  const bands: Band[] = rows.map((r) => ({
    line: r.line, band: str(r, 'band'), days: str(r, 'days') as TariffDays,
    start: parseBandEdge(str(r, 'start_local'), 'start') as number, end: parseBandEdge(str(r, 'end_local'), 'end') as number,
  }));
  const byLine = new Map(bands.map((b) => [b.line, b]));
  const describe = (b: Band): string => `${b.band} ${b.days} ${formatMinutes(b.start)}–${formatMinutes(b.end)}`;
  return checkBandCoverage(bands).map((p): ReferenceProblem => {
    if (p.kind === 'gap') {
      return { line: rows[0]!.line, column: null, value: null, rule: 'band_gap', message: `tariff ${version}: no band covers ${describeRanges([p.range])} on ${describeDays(p.days)}` };
    }
    const band = byLine.get(p.line)!;
    return {
      line: p.line, column: 'start_local', value: formatMinutes(band.start), rule: 'band_overlap',
      message: `band ${describe(band)} overlaps ${describe(byLine.get(p.otherLine)!)} on line ${p.otherLine} at ${describeRanges(p.ranges)} on ${describeDays(p.days)}`,
    };
  });
}
