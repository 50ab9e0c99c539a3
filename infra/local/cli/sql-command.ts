// `wattlake sql "<Athena SQL>"`: ad-hoc Athena (Trino) SQL on the local lake.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { runLakeSql } from '../../../pipeline/query/lake-sql.ts';
import { formatResult, parseFormat, type ResultFormat } from './result-format.ts';

export function sqlCommand(): Command {
  return new Command('sql')
    .description('run ad-hoc Athena (Trino) SQL on the lake through the Trino-compatibility layer (docs/sql-dialect.md)')
    .argument('<sql>', 'one SQL statement, e.g. "SELECT count(*) FROM readings_unique"')
    .option('--format <format>', 'table, csv or json (an array of row objects)', parseFormat, 'table')
    .action(async (sql: string, options: { format: ResultFormat }, command: Command) => {
      const lake = resolve(command.optsWithGlobals<{ lake: string }>().lake);
      const duckdb = await openDuckDb();
      try {
        console.log(formatResult(await runLakeSql(duckdb, lake, sql), options.format));
      } finally {
        duckdb.closeSync();
      }
    });
}
