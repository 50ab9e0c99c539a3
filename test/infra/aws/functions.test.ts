import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundlingOptions, copyDuckDbCommands, DUCKDB_EXTERNALS, REPO_ROOT } from '../../../infra/aws/functions.ts';
import { synthesized } from './synth.ts';

const { stack } = synthesized();
const work = mkdtempSync(join(tmpdir(), 'wattlake-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const run = (commands: string[]): ReturnType<typeof spawnSync> => spawnSync('sh', ['-c', commands.join(' && ')], { encoding: 'utf8' });

describe('Lambda bundling', () => {
  it('bundles locally with esbuild as ESM, never in Docker', () => {
    const options = bundlingOptions({ withDuckDb: false });
    expect(options.forceDockerBundling).toBe(false);
    expect(options.format).toBe('esm');
    // Nothing external: the AWS SDK and Powertools ship in the bundle, as tested.
    expect(options.externalModules).toEqual([]);
  });

  it('leaves DuckDB external in the converter, the compactor and the report Lambda (Parquet reports) only', () => {
    expect(stack.convert.converter.bundling.externalModules).toEqual(DUCKDB_EXTERNALS);
    expect(stack.convert.compactor.bundling.externalModules).toEqual(DUCKDB_EXTERNALS);
    expect(stack.reports.fn.bundling.externalModules).toEqual(DUCKDB_EXTERNALS);
    expect(stack.ingest.transform.bundling.externalModules).toEqual([]);
    expect(stack.provisioning.hook.bundling.externalModules).toEqual([]);
  });

  it('copies DuckDB with its Linux x64 glibc binding into the asset, where the bundle\'s import resolves it', () => {
    const asset = join(work, 'asset');
    const hook = stack.convert.converter.bundling.commandHooks!.afterBundling(REPO_ROOT, asset);
    expect(hook).toEqual(copyDuckDbCommands(join(REPO_ROOT, 'node_modules'), asset));
    const result = run([`mkdir -p "${asset}"`, ...hook]);
    expect(result.status, String(result.stderr)).toBe(0);
    for (const file of ['duckdb.node', 'libduckdb.so']) expect(existsSync(join(asset, 'node_modules', '@duckdb', 'node-bindings-linux-x64', file))).toBe(true);
    // The bundle is index.mjs at the asset root importing '@duckdb/node-api': the same resolution as Lambda's.
    writeFileSync(join(asset, 'index.mjs'), "import { DuckDBInstance } from '@duckdb/node-api';\nconst c = await (await DuckDBInstance.create(':memory:')).connect();\nconsole.log(String((await c.runAndReadAll('SELECT 6 * 7')).getRows()[0][0]));\n");
    expect(execFileSync(process.execPath, [join(asset, 'index.mjs')], { cwd: work, encoding: 'utf8' }).trim()).toBe('42');
  });

  it('fails the build with a clear message when the Linux x64 binding is not installed', () => {
    const result = run(copyDuckDbCommands(join(work, 'empty-node-modules'), join(work, 'out')));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/the converter needs DuckDB's Linux x64 binding/);
  });
});
