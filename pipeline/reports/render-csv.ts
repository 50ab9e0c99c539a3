// A report as CSV: RFC 4180 (csv-stringify), a header row of column names, CRLF line ends, UTF-8
// without a byte-order mark. Cells as `wattlake query --format csv` prints them: numbers in
// JavaScript's shortest round-trip form, dates YYYY-MM-DD, timestamps ISO-8601 UTC, NULL empty.
import { stringify } from 'csv-stringify/sync';
import type { Cell, CellKind, ReportTable } from './report-table.ts';

function cellText(kind: CellKind, cell: Cell): string {
  if (cell === null) return '';
  if (kind === 'timestamp') return new Date(cell as number).toISOString();
  return String(cell);
}

export function renderCsv(table: ReportTable): Uint8Array {
  const header = table.columns.map((c) => c.name);
  const records = table.rows.map((row) => row.map((cell, i) => cellText(table.columns[i]!.kind, cell)));
  // csv-stringify quotes only the record delimiter itself (CRLF); RFC 4180 wants a lone CR or LF quoted too.
  return new TextEncoder().encode(stringify([header, ...records], { record_delimiter: 'windows', quoted_match: /[\r\n]/ }));
}
