// `npm run bench [-- --suite ingest --reps 5]`: runs benchmark suites, prints markdown tables
// (stdout) with progress on stderr, and writes each suite's results to bench/out/<suite>.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { openDuckDb } from '../pipeline/query/duckdb.ts';
import { AGENT_DEFAULTS, runAgentSuite } from './agent/suite.ts';
import { agentTables } from './agent/tables.ts';
import { runIngestSuite } from './ingest/suite.ts';
import { ingestTables } from './ingest/tables.ts';
import { machineInfo, type MachineInfo } from './machine.ts';
import { stderrLog, type Log } from './measure.ts';
import { machineTable } from './report.ts';
import { runQueriesSuite } from './queries/suite.ts';
import { queriesTables } from './queries/tables.ts';
import { runTwinSuite, twinSuiteOptions } from './twin/suite.ts';
import { twinTables } from './twin/tables.ts';

export interface SuiteOptions {
  devices: number;
  readings: number;
  reps: number;
  /** Days of 15-minute data (queries suite). */
  days: number;
  /** Queries suite: the folder to build the lake in and keep, or to reuse it from. */
  lake?: string;
  log: Log;
}

/** A suite measures, then renders its own tables; its result is stored as JSON. */
type Suite = (options: SuiteOptions) => Promise<{ result: unknown; markdown: string }>;

/** Register new suites (e.g. `twin`, `queries`) here. */
const SUITES: Record<string, Suite> = {
  async ingest({ devices, readings, reps, log }) {
    const result = await runIngestSuite({ devices, readingsPerDevice: readings, reps, log });
    return { result, markdown: ingestTables(result) };
  },
  // bench/twin: publish -> PUBACK -> Parquet with TLS devices in a separate process (reps do not apply).
  async twin({ devices, readings, log }) {
    const result = await runTwinSuite(twinSuiteOptions({ devices, readings, log }));
    return { result, markdown: twinTables(result) };
  },
  // bench/agent: CPU and RSS of one agent process and of the fleet simulator (1,000 and 10,000 devices); options do not apply.
  async agent({ log }) {
    const result = await runAgentSuite({ ...AGENT_DEFAULTS, log });
    return { result, markdown: agentTables(result) };
  },
  // bench/queries: every named query on a lake built through the converter; --days sets its length.
  async queries({ devices, days, reps, lake, log }) {
    const result = await runQueriesSuite({ devices, days, reps, log, ...(lake === undefined ? {} : { lakeDir: lake }) });
    return { result, markdown: queriesTables(result) };
  },
};

const OUT_DIR = fileURLToPath(new URL('./out/', import.meta.url));

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

async function currentMachine(): Promise<MachineInfo> {
  const duckdb = await openDuckDb();
  try {
    return await machineInfo(duckdb);
  } finally {
    duckdb.closeSync();
  }
}

async function main(argv: string[]): Promise<void> {
  const options = new Command()
    .name('npm run bench --')
    .description('Benchmark suites for wattlake; markdown to stdout, JSON to bench/out/<suite>.json.')
    .addOption(new Option('--suite <name>', 'suite to run').choices(['all', ...Object.keys(SUITES)]).default('all'))
    .option('--devices <n>', 'simulated meters', positiveInt, 1000)
    .option('--readings <n>', 'one-minute readings per meter', positiveInt, 1000)
    .option('--days <n>', 'days of 15-minute data (queries suite)', positiveInt, 365)
    .option('--reps <n>', 'timed repetitions (median reported), after one warm-up', positiveInt, 3)
    .option('--lake <dir>', 'queries suite: build the lake in this folder and keep it, or reuse the one already built there')
    .parse(argv)
    .opts<{ suite: string; devices: number; readings: number; days: number; reps: number; lake?: string }>();

  const machine = await currentMachine();
  process.stdout.write(`${machineTable(machine)}\n`);
  const names = options.suite === 'all' ? Object.keys(SUITES) : [options.suite];
  await mkdir(OUT_DIR, { recursive: true });
  for (const name of names) {
    const suite = SUITES[name] as Suite;
    const { result, markdown } = await suite({ ...options, log: stderrLog });
    process.stdout.write(`\n## ${name}\n\n${markdown}\n`);
    const file = `${OUT_DIR}${name}.json`;
    await writeFile(file, `${JSON.stringify({ suite: name, date: new Date().toISOString(), machine, options, result }, null, 2)}\n`);
    stderrLog(`wrote ${file}`);
  }
}

await main(process.argv);
