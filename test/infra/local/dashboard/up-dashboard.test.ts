// `wattlake up` as a user starts it prints the dashboard's address, and that address serves the
// page and the API over the twin's lake.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATE_ENV } from '../../../../infra/local/state.ts';
import { WATTLAKE_BIN } from '../../../helpers/cli.ts';

let dirs: string[] = [];
beforeEach(async () => { dirs = [await mkdtemp(join(tmpdir(), 'wattlake-up-lake-')), await mkdtemp(join(tmpdir(), 'wattlake-up-state-'))]; });
afterEach(async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }); });

describe('wattlake up', () => {
  it('prints "dashboard: http://127.0.0.1:<port>/" and serves the page and its API there', async () => {
    const [lake, stateDir] = dirs as [string, string];
    const child = spawn(process.execPath, [WATTLAKE_BIN, '--lake', lake, 'up', '--port', '0', '--http-port', '0'], {
      env: { ...process.env, [STATE_ENV]: stateDir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no dashboard line in time:\n${stdout}`)), 40_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          const match = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(stdout);
          if (match) { clearTimeout(timer); resolve(match[1]!); }
        });
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="/dashboard.js"></script>');
      const visuals = await fetch(`${url}api/dashboards/energy-overview/visuals?start_date=2026-03-01&end_date=2026-03-31`);
      expect(visuals.status).toBe(200);
      // An empty lake: every visual is empty, none fails.
      expect(((await visuals.json()) as { visuals: { empty: boolean }[] }).visuals.every((v) => v.empty)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
