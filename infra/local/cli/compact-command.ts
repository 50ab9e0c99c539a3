// `wattlake compact`: merge each day's small curated files into a few large ones (the twin's
// scheduler runs the same core daily; so does the AWS job).
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { compactLake, type CompactionResult } from '../../../pipeline/convert/compact.ts';
import { DEFAULT_LIVE_DAYS } from '../../../pipeline/convert/rollup.ts';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { isValidDate } from '../../../pipeline/schema/ids.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { wholeNumber } from './twin-options.ts';

function dayArgument(value: string): string {
  if (!isValidDate(value)) throw new InvalidArgumentError('must be a date YYYY-MM-DD');
  return value;
}

export function compactCommand(): Command {
  return new Command('compact')
    .description('merge the small curated Parquet files of every day that received files since its last compaction (late data included) into a few large sorted ones, and bring the query rollup up to date')
    .option('--day <YYYY-MM-DD>', 'compact only this UTC day', dayArgument)
    .option('--live-days <n>', 'keep today and this many days before it out of the rollup (late data for them counts at once)', wholeNumber(0, 9_999), DEFAULT_LIVE_DAYS)
    .option('--rebuild-rollup', "rebuild the rollup of every closed day (after changing a site's timezone)")
    .action(async (options: { day?: string; liveDays: number; rebuildRollup?: boolean }, command: Command) => {
      const lake = resolve(command.optsWithGlobals<{ lake: string }>().lake);
      const duckdb = await openDuckDb();
      try {
        const done = await compactLake({ store: new FolderStore(lake), duckdb, liveDays: options.liveDays, rebuildRollup: options.rebuildRollup === true, ...(options.day ? { day: options.day } : {}) });
        console.log(formatCompaction(done, lake));
      } finally {
        duckdb.closeSync();
      }
    });
}

export function formatCompaction({ partitions, rollup }: CompactionResult, lake: string): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    partitions.length === 0 ? `nothing to compact in ${lake}` : `compacted ${plural(partitions.length, 'partition')} in ${lake}`,
    ...partitions.map((p) => `  ${p.table} dt=${p.dt}: ${p.inputs.length} files -> ${p.outputs.length}, ${p.rowsOut} rows`
      + (p.rowsIn > p.rowsOut ? ` (${p.rowsIn - p.rowsOut} duplicates removed)` : '')),
    `rollup: closed until ${rollup.closedUntil}`
      + (rollup.previousClosedUntil !== rollup.closedUntil ? ` (was ${rollup.previousClosedUntil ?? 'empty'})` : '')
      + `, ${plural(rollup.rebuiltDays.length, 'day')} rebuilt`
      + (rollup.rebuiltDays.length ? ` (${rollup.rebuiltDays[0]} .. ${rollup.rebuiltDays.at(-1)})` : ''),
  ].join('\n');
}
