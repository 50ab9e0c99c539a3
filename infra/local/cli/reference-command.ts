// `wattlake reference load|show`: the reference tables (sites, tariffs, emission_factors) in the lake.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { danglingReferences, installReferenceTable } from '../../../pipeline/reference/install.ts';
import { formatProblem } from '../../../pipeline/reference/validate.ts';
import { isReferenceTableName, REFERENCE_TABLE_NAMES, type ReferenceTableName } from '../../../pipeline/schema/reference.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { referenceKey } from '../../../pipeline/storage/keys.ts';
import { ObjectNotFoundError } from '../../../pipeline/storage/object-store.ts';

/** Problems printed before the rest are only counted: a wrong file can have thousands. */
const MAX_PROBLEMS_SHOWN = 50;

function tableArgument(value: string): ReferenceTableName {
  if (!isReferenceTableName(value)) throw new InvalidArgumentError(`must be one of ${REFERENCE_TABLE_NAMES.join(', ')}`);
  return value;
}

const lakeOf = (command: Command): string => resolve(command.optsWithGlobals<{ lake: string }>().lake);

export function referenceCommand(): Command {
  const reference = new Command('reference').description(`reference tables (${REFERENCE_TABLE_NAMES.join(', ')}) as CSV with a header row`);

  reference.command('load')
    .description('validate a CSV file and install it as the table (replacing the old one whole); an invalid file changes nothing')
    .argument('<table>', REFERENCE_TABLE_NAMES.join('|'), tableArgument)
    .argument('<file>', 'CSV file with a header row')
    .action(async (table: ReferenceTableName, file: string, _options: unknown, command: Command) => {
      const lake = lakeOf(command);
      const store = new FolderStore(lake);
      const result = await installReferenceTable({ store, table, body: await readFile(file) });
      if (!result.ok) {
        console.error(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; ${table} was not changed`);
        for (const problem of result.problems.slice(0, MAX_PROBLEMS_SHOWN)) console.error(`  ${file}: ${formatProblem(problem)}`);
        if (result.problems.length > MAX_PROBLEMS_SHOWN) console.error(`  … and ${result.problems.length - MAX_PROBLEMS_SHOWN} more`);
        process.exitCode = 1;
        return;
      }
      console.log(`installed ${table}: ${result.rows.length} rows -> ${store.pathOf(result.key)}`);
      for (const warning of await danglingReferences(store)) console.log(`  warning: ${warning}`);
    });

  reference.command('show')
    .description('print an installed table as CSV')
    .argument('<table>', REFERENCE_TABLE_NAMES.join('|'), tableArgument)
    .action(async (table: ReferenceTableName, _options: unknown, command: Command) => {
      const store = new FolderStore(lakeOf(command));
      try {
        process.stdout.write(new TextDecoder().decode(await store.get(referenceKey(table))));
      } catch (error) {
        if (!(error instanceof ObjectNotFoundError)) throw error;
        throw new Error(`no ${table} table installed yet; load one with: wattlake reference load ${table} <file.csv>`, { cause: error });
      }
    });

  return reference;
}
