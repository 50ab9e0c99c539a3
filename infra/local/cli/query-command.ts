// `wattlake query <name> [--param k=v]… [--format table|csv|json]`: a named query on the local lake.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { runNamedQuery } from '../../../pipeline/query/lake-sql.ts';
import { getNamedQuery, parseParameterArguments } from '../../../pipeline/query/named-queries.ts';
import { formatResult, parseFormat, type ResultFormat } from './result-format.ts';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function queryCommand(): Command {
  return new Command('query')
    .description('run a named query (see `wattlake queries`) on the lake through the Trino-compatibility layer')
    .argument('<name>', 'query name')
    .option('--param <name=value>', 'a parameter, repeatable', collect, [])
    .option('--format <format>', 'table, csv or json (an array of row objects)', parseFormat, 'table')
    .action(async (name: string, options: { param: string[]; format: ResultFormat }, command: Command) => {
      const lake = resolve(command.optsWithGlobals<{ lake: string }>().lake);
      // Unknown query or bad parameters fail before DuckDB opens.
      getNamedQuery(name);
      const texts = parseParameterArguments(options.param);
      const duckdb = await openDuckDb();
      try {
        console.log(formatResult(await runNamedQuery(duckdb, lake, name, texts), options.format));
      } finally {
        duckdb.closeSync();
      }
    });
}
