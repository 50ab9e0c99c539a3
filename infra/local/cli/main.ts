// `wattlake` CLI entry: one file per command under this folder, wired here.
import { Command } from 'commander';
import { ingestCommand } from './ingest-command.ts';
import { statsCommand } from './stats-command.ts';

const program = new Command()
  .name('wattlake')
  .description('Energy data lake: smart meters over MQTT -> Parquet lake -> Athena SQL (AWS) or DuckDB (local twin).')
  .option('--lake <dir>', 'local lake folder (the S3 key layout)', './lake')
  .showHelpAfterError();

program.addCommand(ingestCommand());
program.addCommand(statsCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`wattlake: ${(error as Error).message}`);
  process.exitCode = 1;
}
