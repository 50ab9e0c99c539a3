import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileAsync, WATTLAKE_BIN } from '../../../helpers/cli.ts';

const examples = new URL('../../../../examples/reference/', import.meta.url).pathname;

describe('wattlake reference', () => {
  let dir: string;
  let lake: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wattlake-reference-cli-')); lake = join(dir, 'lake'); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  const wattlake = (...args: string[]) => execFileAsync(process.execPath, [WATTLAKE_BIN, ...args, '--lake', lake]);

  it('loads the example tables into the lake and shows them back', async () => {
    for (const table of ['tariffs', 'emission_factors', 'sites']) {
      const { stdout } = await wattlake('reference', 'load', table, join(examples, `${table}.csv`));
      expect(stdout).toMatch(new RegExp(`^installed ${table}: \\d+ rows -> .*reference/${table}/${table}\\.csv\\n$`));
    }
    const { stdout } = await wattlake('reference', 'show', 'sites');
    expect(stdout).toBe(await readFile(join(examples, 'sites.csv'), 'utf8'));
  });

  it('refuses an invalid file with one line per problem, exits 1 and leaves the installed table alone', async () => {
    await wattlake('reference', 'load', 'sites', join(examples, 'sites.csv'));
    const bad = join(dir, 'sites.csv');
    await writeFile(bad, 'site_id,name,timezone\nsite-01,Office,Europe/Stokholm\nsite 02,Shop,UTC\n');
    const failure = await wattlake('reference', 'load', 'sites', bad).then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`${bad}: 2 problems; sites was not changed`);
    expect(failure?.stderr).toContain(`${bad}: line 2, column timezone, value "Europe/Stokholm": timezone is not an IANA time zone name`);
    expect(failure?.stderr).toContain(`${bad}: line 3, column site_id, value "site 02": site_id must be`);
    expect((await wattlake('reference', 'show', 'sites')).stdout).toBe(await readFile(join(examples, 'sites.csv'), 'utf8'));
  });

  it('warns about a site whose tariff is not in the installed tariffs', async () => {
    await wattlake('reference', 'load', 'tariffs', join(examples, 'tariffs.csv'));
    const sites = join(dir, 'sites.csv');
    await writeFile(sites, 'site_id,name,timezone,tariff_id\nsite-09,Warehouse,Europe/Stockholm,se-tuo\n');
    const { stdout } = await wattlake('reference', 'load', 'sites', sites);
    expect(stdout).toContain('warning: site site-09: tariff_id se-tuo is not in tariffs');
  });

  it('says how to load a table that is not installed yet', async () => {
    const failure = await wattlake('reference', 'show', 'tariffs').then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('wattlake reference load tariffs <file.csv>');
  });

  it('refuses a table name that is not a reference table', async () => {
    const failure = await wattlake('reference', 'load', 'readings', join(examples, 'sites.csv')).then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('must be one of sites, tariffs, emission_factors');
  });
});
