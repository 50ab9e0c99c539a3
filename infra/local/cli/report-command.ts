// `wattlake report list` and `wattlake report run <name>`: the scheduled reports
// (pipeline/reports/definitions.ts), run now on the local lake with the same code the twin's
// scheduler and the AWS report Lambda run.
import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { parseTimestamp } from '../../../pipeline/decode/timestamp.ts';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { getReport, REPORT_FORMATS, REPORTS, type ReportDefinition, type ReportFormat } from '../../../pipeline/reports/definitions.ts';
import { renderReport } from '../../../pipeline/reports/render.ts';
import { checkFormats, queryReport, runReport } from '../../../pipeline/reports/run-report.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { lakeQueryRunner, nextReportRun } from '../report-jobs.ts';

interface RunOptions {
  format?: ReportFormat;
  out?: string;
  at?: Date;
}

function parseFormat(value: string): ReportFormat {
  try {
    return checkFormats([value])[0]!;
  } catch {
    throw new InvalidArgumentError(`must be one of ${REPORT_FORMATS.join(', ')}`);
  }
}

function parseAt(value: string): Date {
  const ms = parseTimestamp(value);
  if (ms === null) throw new InvalidArgumentError('must be an ISO-8601 time with Z or an offset, e.g. 2026-04-01T06:00:00+02:00');
  return new Date(ms);
}

/** A time as the report's local wall clock, e.g. `2026-05-01 06:00 Europe/Stockholm`. */
function localTime(at: Date, timezone: string): string {
  const text = at.toLocaleString('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return `${text} ${timezone}`;
}

function describeReport(report: ReportDefinition, now: Date): string {
  const next = nextReportRun(report, now);
  const params = Object.entries(report.params ?? {}).map(([k, v]) => ` ${k}=${v}`).join('');
  return [
    `${report.name}: ${report.title}`,
    `  query:    ${report.query}${params}`,
    `  period:   ${report.period} (local days in ${report.timezone})`,
    `  schedule: ${report.schedule} (${report.timezone})`,
    `  formats:  ${report.formats.join(', ')}`,
    `  next run: ${next ? `${localTime(next, report.timezone)} (${next.toISOString()})` : 'never'}`,
  ].join('\n');
}

/** The format of a `--out` file: --format, else the file's extension, else the report's first format. */
function outFormat(report: ReportDefinition, out: string, format: ReportFormat | undefined): ReportFormat {
  if (out === '-') {
    if (format && format !== 'csv') throw new Error('--out - writes CSV to standard output; use --out FILE for xlsx or parquet');
    return 'csv';
  }
  const extension = extname(out).slice(1).toLowerCase();
  const byExtension = (REPORT_FORMATS as readonly string[]).includes(extension) ? (extension as ReportFormat) : undefined;
  if (format && byExtension && format !== byExtension) throw new Error(`--format ${format} does not match the file name ${out}`);
  return format ?? byExtension ?? report.formats[0]!;
}

function listCommand(): Command {
  return new Command('list')
    .description('list the scheduled reports: query, period, schedule and timezone, formats, next run')
    .action(() => {
      const now = new Date();
      console.log(REPORTS.map((r) => describeReport(r, now)).join('\n\n'));
    });
}

function runCommand(): Command {
  return new Command('run')
    .description('run a report now for the period before --at (default: now): all its formats into <lake>/exports/<report>/, or one file with --out')
    .argument('<name>', 'report name (see `wattlake report list`)')
    .option('--format <format>', `only this format: ${REPORT_FORMATS.join(', ')}`, parseFormat)
    .option('--out <file>', 'write one file here instead of the lake (- for CSV on standard output)')
    .option('--at <time>', 'the run time the period is relative to, ISO-8601 with Z or an offset (default: now)', parseAt)
    .action(async (name: string, options: RunOptions, command: Command) => {
      const lake = resolve(command.optsWithGlobals<{ lake: string }>().lake);
      // Unknown report or unusable options fail before DuckDB opens.
      const report = getReport(name);
      const runAt = options.at ?? new Date();
      const out = options.out === undefined ? undefined : { file: options.out, format: outFormat(report, options.out, options.format) };
      const duckdb = await openDuckDb();
      try {
        const runQuery = lakeQueryRunner(duckdb, lake);
        if (out) {
          const table = await queryReport({ report, runAt, runQuery });
          const bytes = await renderReport(table, out.format);
          if (out.file === '-') {
            process.stdout.write(bytes);
            return;
          }
          await writeFile(out.file, bytes);
          console.log(`${report.name}: ${table.period.start_date} to ${table.period.end_date} (${report.timezone}), ${table.rows.length} rows -> ${resolve(out.file)} (${bytes.byteLength} bytes)`);
          return;
        }
        const store = new FolderStore(lake);
        const run = await runReport({ report, runAt, runQuery, store, ...(options.format ? { formats: [options.format] } : {}) });
        const rows = run.files[0]?.rows ?? 0;
        console.log([
          `${report.name}: ${run.period.start_date} to ${run.period.end_date} (${report.timezone}), ${rows} row${rows === 1 ? '' : 's'}`,
          ...run.files.map((f) => `  ${store.pathOf(f.key)} (${f.bytes} bytes)`),
        ].join('\n'));
      } finally {
        duckdb.closeSync();
      }
    });
}

export function reportCommand(): Command {
  return new Command('report')
    .description('scheduled reports (named queries for the previous day, week or month) as CSV, XLSX or Parquet')
    .addCommand(listCommand())
    .addCommand(runCommand());
}
