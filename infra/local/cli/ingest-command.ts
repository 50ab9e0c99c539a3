import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { ingestLines, type IngestSummary } from '../ingest.ts';

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('push recorded MQTT messages (JSON lines: {"topic", "payload", "received_at"?}) through rule -> transform -> converter into the lake')
    .argument('<file>', 'a .jsonl file, or - for standard input')
    .action(async (file: string, _options: unknown, command: Command) => {
      const lake = resolve(command.optsWithGlobals<{ lake: string }>().lake);
      if (file !== '-') {
        const info = await stat(file).catch(() => null);
        if (!info?.isFile()) throw new Error(`ingest: ${file} is not a readable file`);
      }
      const duckdb = await openDuckDb();
      // The line reader starts emitting at once: create it only when nothing else is awaited before iterating.
      const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
      const lines = createInterface({ input, crlfDelay: Infinity });
      const started = Date.now();
      let lastReport = 0;
      const summary = await ingestLines(lines, {
        store: new FolderStore(lake),
        duckdb,
        onProgress: (s) => {
          if (process.stderr.isTTY && Date.now() - lastReport > 500) {
            lastReport = Date.now();
            process.stderr.write(`\r${s.messages} messages, ${s.accepted} readings accepted, ${s.curatedFiles} Parquet files…`);
          }
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      console.log(formatSummary(summary, lake, Date.now() - started));
      duckdb.closeSync();
    });
}

export function formatSummary(s: IngestSummary, lake: string, elapsedMs: number): string {
  const lines = [
    `ingested ${s.messages} messages into ${lake} in ${(elapsedMs / 1000).toFixed(1)} s`,
    `  accepted readings: ${s.accepted}${s.duplicatesRemoved ? ` (${s.duplicatesRemoved} duplicates removed in conversion)` : ''}`,
    `  rejected readings: ${sum(s.rejected)}${formatCounts(s.rejected)}`,
    `  failed messages (errors/readings/): ${sum(s.failedRecords)}${formatCounts(s.failedRecords)}`,
  ];
  if (s.droppedRecords) lines.push(`  empty messages dropped: ${s.droppedRecords}`);
  if (s.unrouted) lines.push(`  messages on topics the rule does not select: ${s.unrouted}`);
  if (s.invalidLines.length) {
    lines.push(`  invalid input lines: ${s.invalidLines.length}`);
    for (const { line, error } of s.invalidLines.slice(0, 10)) lines.push(`    line ${line}: ${error}`);
  }
  lines.push(`  files written: ${s.rawObjects} raw, ${s.curatedFiles} curated readings, ${s.rejectedFiles} rejected, ${s.errorObjects} error output`);
  return lines.join('\n');
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
const formatCounts = (counts: Record<string, number>): string => {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  return entries.length ? `\n${entries.map(([k, n]) => `    ${k}: ${n}`).join('\n')}` : '';
};
