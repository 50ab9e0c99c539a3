import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileAsync, WATTLAKE_BIN } from '../../../helpers/cli.ts';

const fixtureLines = readFileSync(new URL('../../../fixtures/ingest/fleet-small.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '');

describe('wattlake compact', () => {
  let dir: string;
  let lake: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wattlake-compact-cli-')); lake = join(dir, 'lake'); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  const wattlake = (...args: string[]) => execFileAsync(process.execPath, [WATTLAKE_BIN, ...args, '--lake', lake]);

  it('merges the files of each day, reports what it did, then has nothing left to do', async () => {
    for (const part of [0, 1, 2]) {
      const file = join(dir, `part-${part}.jsonl`);
      await writeFile(file, fixtureLines.filter((_, i) => i % 3 === part).join('\n'));
      await wattlake('ingest', file);
    }
    const day = join(lake, 'curated/readings/dt=2026-11-20');
    expect(await readdir(day)).toHaveLength(3);
    // The rollup closes every day before two days ago (UTC), the day of these readings included.
    const closedUntil = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000).toISOString().slice(0, 10);
    expect((await wattlake('compact')).stdout).toBe(`compacted 1 partition in ${lake}\n  readings dt=2026-11-20: 3 files -> 1, 3456 rows\n`
      + `rollup: closed until ${closedUntil} (was empty), 1 day rebuilt (2026-11-20 .. 2026-11-20)\n`);
    expect(await readdir(day)).toEqual([expect.stringMatching(/^compacted-[0-9a-f]{12}-000\.parquet$/)]);
    expect((await wattlake('compact', '--day', '2026-11-20')).stdout).toBe(`nothing to compact in ${lake}\nrollup: closed until ${closedUntil}, 0 days rebuilt\n`);
  });

  it('refuses a --live-days that is not a whole number of days', async () => {
    const failure = await wattlake('compact', '--live-days', '-1').then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('must be a whole number from 0 to 9999');
  });

  it('refuses a --day that is not a date', async () => {
    const failure = await wattlake('compact', '--day', '20-11-2026').then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('must be a date YYYY-MM-DD');
  });
});
