import { describe, expect, it } from 'vitest';
import { loadNamedQueries } from '../../../../pipeline/query/named-queries.ts';
import { execFileAsync, WATTLAKE_BIN } from '../../../helpers/cli.ts';


describe('wattlake queries', () => {
  it('lists every named query with its parameters and columns', async () => {
    const { stdout } = await execFileAsync(process.execPath, [WATTLAKE_BIN, 'queries']);
    for (const query of loadNamedQueries()) expect(stdout).toMatch(new RegExp(`^${query.name}\\n  \\S`, 'm'));
    expect(stdout).toContain('    rank_by (varchar, default device, one of device|site): rank devices or sites');
    expect(stdout).toContain('  columns: site_id varchar, device_id varchar, day date, kwh double');
  });

  it('prints the same as JSON with --json', async () => {
    const { stdout } = await execFileAsync(process.execPath, [WATTLAKE_BIN, 'queries', '--json']);
    const listed = JSON.parse(stdout) as { name: string; params: unknown[]; columns: unknown[] }[];
    expect(listed.map((q) => q.name)).toEqual(loadNamedQueries().map((q) => q.name));
    expect(listed.find((q) => q.name === 'daily_consumption')?.params).toHaveLength(3);
  });
});
