// `wattlake queries`: the named queries of queries/*.sql with their parameters and columns.
import { Command } from 'commander';
import { loadNamedQueries, type NamedQuery } from '../../../pipeline/query/named-queries.ts';

function describeQuery(query: NamedQuery): string {
  const lines = [query.name, `  ${query.description}`];
  if (query.params.length) lines.push('  parameters:');
  for (const p of query.params) {
    const presence = p.required ? 'required' : p.defaultText !== undefined ? `default ${p.defaultText}` : 'optional';
    const choices = p.oneOf ? `, one of ${p.oneOf.join('|')}` : '';
    lines.push(`    ${p.name} (${p.type}, ${presence}${choices}): ${p.description}`);
  }
  lines.push(`  columns: ${query.columns.map((c) => `${c.name} ${c.type}`).join(', ')}`);
  return lines.join('\n');
}

export function queriesCommand(): Command {
  return new Command('queries')
    .description('list the named queries (queries/*.sql): what they answer, their parameters and columns')
    .option('--json', 'print JSON instead of text')
    .action((options: { json?: boolean }) => {
      const queries = loadNamedQueries();
      if (options.json) {
        console.log(JSON.stringify(queries.map(({ name, description, params, columns }) => ({ name, description, params, columns })), null, 2));
        return;
      }
      console.log(queries.map(describeQuery).join('\n\n'));
    });
}
