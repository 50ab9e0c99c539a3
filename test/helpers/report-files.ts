// Report files read back into the plain rows a named query returns (pipeline/query/rows.ts:
// numbers, dates YYYY-MM-DD, timestamps ISO-8601 UTC, NULL as null), so a test can compare a
// file with `runNamedQuery` for the same period. The header types say how to read each cell.
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type ExcelJS from 'exceljs';
import { getNamedQuery } from '../../pipeline/query/named-queries.ts';
import type { PlainRow, PlainValue } from '../../pipeline/query/rows.ts';
import { cellKind, type CellKind } from '../../pipeline/reports/report-table.ts';
import { readXlsx } from './xlsx.ts';

function plain(kind: CellKind, value: unknown): PlainValue {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return kind === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && (kind === 'number' || kind === 'integer')) return Number(value);
  if (typeof value === 'string' && kind === 'boolean') return value === 'true';
  return value as PlainValue;
}

const columnsOf = (query: string) => getNamedQuery(query).columns.map((c) => ({ name: c.name, kind: cellKind(c.type) }));
const toRow = (query: string, get: (name: string, index: number) => unknown): PlainRow =>
  Object.fromEntries(columnsOf(query).map((c, i) => [c.name, plain(c.kind, get(c.name, i))]));

export function csvRows(query: string, bytes: Uint8Array): PlainRow[] {
  const records = parse(Buffer.from(bytes), { columns: true }) as Record<string, string>[];
  return records.map((record) => toRow(query, (name) => record[name]));
}

export async function parquetRows(query: string, bytes: Uint8Array): Promise<PlainRow[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const records = await parquetReadObjects({ file, compressors });
  return records.map((record) => toRow(query, (name) => record[name]));
}

/** The data rows of the first sheet (header row 1, then `rows` data rows), and the sheet itself for the totals. */
export async function xlsxRows(query: string, bytes: Uint8Array, rows: number): Promise<{ rows: PlainRow[]; sheet: ExcelJS.Worksheet }> {
  const sheet = (await readXlsx(bytes)).worksheets[0]!;
  const data = Array.from({ length: rows }, (_, r) => toRow(query, (_name, c) => sheet.getRow(r + 2).getCell(c + 1).value));
  return { rows: data, sheet };
}
