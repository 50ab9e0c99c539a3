// `wattlake` CLI entry: one file per command under this folder, wired here.
import { Command } from 'commander';
import { devicesCommand } from './devices-command.ts';
import { ingestCommand } from './ingest-command.ts';
import { statsCommand } from './stats-command.ts';
import { referenceCommand } from './reference-command.ts';
import { compactCommand } from './compact-command.ts';
import { demoCommand } from './demo-command.ts';
import { upCommand } from './up-command.ts';
import { queriesCommand } from './queries-command.ts';
import { queryCommand } from './query-command.ts';
import { sqlCommand } from './sql-command.ts';
import { reportCommand } from './report-command.ts';

const program = new Command()
  .name('wattlake')
  .description('Energy data lake: smart meters over MQTT -> Parquet lake -> Athena SQL (AWS) or DuckDB (local twin).')
  .option('--lake <dir>', 'local lake folder (the S3 key layout)', './lake')
  .showHelpAfterError();

program.addCommand(ingestCommand());
program.addCommand(statsCommand());
program.addCommand(referenceCommand());
program.addCommand(compactCommand());
program.addCommand(devicesCommand());
program.addCommand(upCommand());
program.addCommand(demoCommand());
program.addCommand(queriesCommand());
program.addCommand(queryCommand());
program.addCommand(sqlCommand());
program.addCommand(reportCommand());

// `wattlake … | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`wattlake: ${(error as Error).message}`);
  process.exitCode = 1;
}
