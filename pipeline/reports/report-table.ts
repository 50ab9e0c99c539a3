// A report's rows with typed cells, ready for any renderer. The named query's header
// (`-- column: name (athena type)`) decides each column's type, not the engine's result types:
// DuckDB hands back numbers, ISO strings and booleans, Athena hands back text for everything,
// and both must give the same file.
import type { QueryColumn } from '../query/named-queries.ts';
import type { PlainValue } from '../query/rows.ts';
import { isValidDate } from '../schema/ids.ts';
import type { ReportDefinition } from './definitions.ts';
import type { ReportPeriod } from './periods.ts';

/**
 * How a column is rendered. Cells hold: text -> string, number -> finite number, integer ->
 * safe integer, date -> 'YYYY-MM-DD', timestamp -> epoch ms (UTC), boolean -> boolean; any -> null.
 */
export type CellKind = 'text' | 'number' | 'integer' | 'date' | 'timestamp' | 'boolean';
export type Cell = string | number | boolean | null;

export interface ReportColumn extends QueryColumn {
  kind: CellKind;
}

export interface ReportTable {
  report: ReportDefinition;
  period: ReportPeriod;
  /** The run's scheduled (or requested) time. */
  runAt: Date;
  /** The query's parameters as bound (period and the report's params). */
  params: Record<string, string>;
  columns: ReportColumn[];
  rows: Cell[][];
}

/** Thrown when a result does not fit its query's header: a broken query, never bad user input. */
export class ReportDataError extends Error {
  override name = 'ReportDataError';
}

/** The kind of an Athena type name from a query header; throws for a type reports do not handle. */
export function cellKind(athenaType: string): CellKind {
  const type = athenaType.toLowerCase().trim();
  if (type === 'varchar' || /^(varchar|char)\(\d+\)$/.test(type)) return 'text';
  if (['double', 'real', 'float'].includes(type) || /^decimal\(\d+,\s*\d+\)$/.test(type)) return 'number';
  if (['bigint', 'integer', 'int', 'smallint', 'tinyint'].includes(type)) return 'integer';
  if (type === 'date') return 'date';
  if (type === 'timestamp' || /^timestamp\(\d\)$/.test(type)) return 'timestamp';
  if (type === 'boolean') return 'boolean';
  throw new ReportDataError(`column type ${JSON.stringify(athenaType)} is not supported in reports`);
}

/** DuckDB's `2026-03-28T23:45:00.000Z`, Athena's `2026-03-28 23:45:00.000` (UTC in this lake). */
const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(?:Z|\s*UTC)?$/;

function typedCell(kind: CellKind, value: PlainValue | undefined): Cell | undefined {
  if (value === null || value === undefined) return null;
  // Athena returns NULL as a missing value, and an empty text only for varchar.
  if (value === '' && kind !== 'text') return null;
  switch (kind) {
    case 'text':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case 'date': {
      const text = typeof value === 'string' ? value.slice(0, 10) : '';
      return isValidDate(text) ? text : undefined;
    }
    case 'timestamp': {
      const m = typeof value === 'string' ? TIMESTAMP_TEXT.exec(value) : null;
      if (!m || !isValidDate(m[1])) return undefined;
      // Milliseconds are the lake's precision: finer digits are cut, as the converter does.
      const [hms = '', fraction = ''] = (m[2] as string).split('.');
      const ms = Date.parse(`${m[1]}T${hms.length === 5 ? `${hms}:00` : hms}.${fraction.padEnd(3, '0').slice(0, 3)}Z`);
      return Number.isFinite(ms) ? ms : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return undefined;
  }
}

/**
 * The typed table of a query result. The result must have the header's columns in the header's
 * order; a cell that does not fit its column's type (text in a double column, NaN, a bigint
 * beyond 2^53) is an error naming the row and column rather than a silently wrong file.
 */
export function reportTable(options: {
  report: ReportDefinition;
  period: ReportPeriod;
  runAt: Date;
  params: Record<string, string>;
  header: readonly QueryColumn[];
  result: { columns: readonly string[]; rows: readonly Record<string, PlainValue>[] };
}): ReportTable {
  const { report, header, result } = options;
  const names = header.map((c) => c.name);
  if (JSON.stringify(result.columns) !== JSON.stringify(names)) {
    throw new ReportDataError(`query ${report.query} returned columns [${result.columns.join(', ')}], its header lists [${names.join(', ')}]`);
  }
  const columns = header.map((c) => ({ ...c, kind: cellKind(c.type) }));
  const rows = result.rows.map((row, r) => columns.map((column) => {
    const cell = typedCell(column.kind, row[column.name]);
    if (cell === undefined) {
      throw new ReportDataError(`query ${report.query}, row ${r + 1}, column ${column.name} (${column.type}): unexpected value ${JSON.stringify(row[column.name])}`);
    }
    return cell;
  }));
  return { report, period: options.period, runAt: options.runAt, params: options.params, columns, rows };
}
