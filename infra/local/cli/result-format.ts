// Printing query results for `wattlake query` and `wattlake sql`: an aligned table for people,
// RFC 4180 CSV (csv-stringify) and JSON (an array of row objects) for programs.
import { InvalidArgumentError } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { QueryResult } from '../../../pipeline/query/lake-sql.ts';
import type { PlainValue } from '../../../pipeline/query/rows.ts';

export const RESULT_FORMATS = ['table', 'csv', 'json'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

const cellText = (value: PlainValue): string => {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/** Table cells: non-integer numbers at 3 decimals (kWh to the Wh), NULL as an empty cell. */
const tableCell = (value: PlainValue): string =>
  typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(3) : cellText(value);

function table({ columns, rows }: QueryResult): string {
  const cells = rows.map((row) => columns.map((c) => tableCell(row[c] ?? null)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const numeric = columns.map((c) => rows.some((r) => typeof r[c] === 'number') && rows.every((r) => r[c] === null || typeof r[c] === 'number'));
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n');
}

export function formatResult(result: QueryResult, format: ResultFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(result.rows, null, 2);
    case 'csv':
      return stringify([result.columns, ...result.rows.map((row) => result.columns.map((c) => cellText(row[c] ?? null)))], { record_delimiter: 'windows' }).trimEnd();
    case 'table':
      return table(result);
  }
}

/** commander argument parser for --format. */
export function parseFormat(value: string): ResultFormat {
  if (!(RESULT_FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${RESULT_FORMATS.join(', ')}`);
  return value as ResultFormat;
}
