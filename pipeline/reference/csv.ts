// CSV in and out for the reference tables. Parsing keeps each record's file line number so
// that every validation error can point at it; writing produces the canonical form installed
// in the lake (header, schema column order, RFC 4180 quoting only where needed, LF endings).
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

export type ParsedCsv =
  | { ok: true; header: CsvRecord; records: CsvRecord[] }
  | { ok: false; line: number; message: string };

/**
 * Splits CSV text into a header and records. Fields are trimmed, blank lines skipped, a UTF-8
 * byte-order mark ignored; every record must have as many fields as the header.
 */
export function parseCsv(text: string): ParsedCsv {
  let parsed: { record: string[]; info: { bytes: number } }[];
  try {
    parsed = parse(text, { bom: true, trim: true, skip_empty_lines: true, info: true }) as unknown as typeof parsed;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? error.lines : 0;
      const length = /expect (\d+), got (\d+)/.exec(error.message);
      const message = error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && length
        ? `the row has ${length[2]} fields but the header has ${length[1]}`
        : error.message;
      return { ok: false, line, message };
    }
    throw error;
  }
  const [header, ...records] = withStartLines(text, parsed);
  if (!header) return { ok: false, line: 1, message: 'the file is empty: a header row is required' };
  return { ok: true, header, records };
}

const [CR, LF] = [0x0d, 0x0a];
const isBlank = (line: Uint8Array): boolean => line.every((b) => b === 0x20 || b === 0x09 || b === CR || b === LF);

/**
 * csv-parse's own line count is the line a record *ends* on, and it counts a CRLF inside quotes
 * twice; its byte offsets are exact. A record starts at the previous record's end offset, after
 * any blank lines; its line is the number of line breaks (CRLF, LF or CR) before that, plus one.
 */
function withStartLines(text: string, parsed: { record: string[]; info: { bytes: number } }[]): CsvRecord[] {
  const bytes = Buffer.from(text, 'utf8');
  const lineStarts = [0];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === CR && bytes[i + 1] === LF) i++;
    if (bytes[i] === CR || bytes[i] === LF) lineStarts.push(i + 1);
  }
  let previousEnd = 0;
  let line = 0; // index into lineStarts
  return parsed.map(({ record, info }) => {
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= previousEnd) line++;
    while (line + 1 < lineStarts.length && isBlank(bytes.subarray(lineStarts[line]!, lineStarts[line + 1]!))) line++;
    previousEnd = info.bytes;
    return { line: line + 1, fields: record };
  });
}

/** Canonical CSV text: a header row, then the rows, `\n`-terminated. */
export function formatCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return stringify([header, ...rows], { record_delimiter: '\n' });
}
