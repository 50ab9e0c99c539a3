import { resolve } from 'node:path';
import { Command } from 'commander';
import { createLakeViews } from '../../../pipeline/query/catalog.ts';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { summarizeLake } from '../../../pipeline/query/lake-summary.ts';

export function statsCommand(): Command {
  return new Command('stats')
    .description('summarize the local lake: readings (deduplicated) per day, devices, sites, rejects by reason')
    .option('--json', 'print JSON instead of text')
    .action(async (options: { json?: boolean }, command: Command) => {
      const lake = resolve(command.optsWithGlobals<{ lake: string }>().lake);
      const duckdb = await openDuckDb();
      const connection = await duckdb.connect();
      try {
        await createLakeViews(connection, lake);
        const summary = await summarizeLake(connection);
        if (options.json) {
          console.log(JSON.stringify(summary, null, 2));
          return;
        }
        const r = summary.readings;
        console.log(`lake ${lake}`);
        console.log(`  ${r.readings} readings from ${r.devices} devices on ${r.sites} sites, ${r.first_ts ?? '-'} .. ${r.last_ts ?? '-'}`);
        for (const day of summary.perDay) console.log(`  dt=${day.dt}: ${day.readings} readings, ${day.devices} devices`);
        if (summary.rejectedByReason.length) {
          console.log('  quarantined (rejected_readings):');
          for (const row of summary.rejectedByReason) console.log(`    ${row.reason}: ${row.readings}`);
        }
      } finally {
        connection.closeSync();
        duckdb.closeSync();
      }
    });
}
