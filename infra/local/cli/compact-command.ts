// `wattlake compact`: merge each day's small curated files into a few large ones (the twin's
// scheduler runs the same core daily; so does the AWS job).
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { compactLake, type PartitionCompaction } from '../../../pipeline/convert/compact.ts';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { isValidDate } from '../../../pipeline/schema/ids.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';

function dayArgument(value: string): string {
  if (!isValidDate(value)) throw new InvalidArgumentError('must be a date YYYY-MM-DD');
  return value;
}

export function compactCommand(): Command {
  return new Command('compact')
    .description('merge the small curated Parquet files of every day that received files since its last compaction (late data included) into a few large sorted ones')
    .option('--day <YYYY-MM-DD>', 'compact only this UTC day', dayArgument)
    .action(async (options: { day?: string }, command: Command) => {
      const lake = resolve(command.optsWithGlobals<{ lake: string }>().lake);
      const duckdb = await openDuckDb();
      try {
        const done = await compactLake({ store: new FolderStore(lake), duckdb, ...(options.day ? { day: options.day } : {}) });
        console.log(formatCompaction(done, lake));
      } finally {
        duckdb.closeSync();
      }
    });
}

export function formatCompaction(done: PartitionCompaction[], lake: string): string {
  if (done.length === 0) return `nothing to compact in ${lake}`;
  return [
    `compacted ${done.length} partition${done.length === 1 ? '' : 's'} in ${lake}`,
    ...done.map((p) => `  ${p.table} dt=${p.dt}: ${p.inputs.length} files -> ${p.outputs.length}, ${p.rowsOut} rows`
      + (p.rowsIn > p.rowsOut ? ` (${p.rowsIn - p.rowsOut} duplicates removed)` : '')),
  ].join('\n');
}
