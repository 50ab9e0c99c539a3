// `wattlake demo --exit-after-backfill` as a user runs it: a child process that provisions the
// meters, replays a day of history through the twin's broker, and exits with the lake in place.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATE_ENV } from '../../../../infra/local/state.ts';
import { createTestLake, type TestLake } from '../../../helpers/lake.ts';
import { execFileAsync, WATTLAKE_BIN } from '../../../helpers/cli.ts';


describe('wattlake demo --exit-after-backfill', () => {
  let lake: TestLake;
  let stateDir: string;
  beforeEach(async () => {
    lake = await createTestLake();
    stateDir = await mkdtemp(join(tmpdir(), 'wattlake-demo-state-'));
  });
  afterEach(async () => {
    await lake.dispose();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('backfills a day of one-minute readings for 5 meters through MQTT, prints where the lake is, and exits 0', async () => {
    const { stdout } = await execFileAsync(process.execPath, [WATTLAKE_BIN, '--lake', lake.root, 'demo', '--exit-after-backfill', '--devices', '5', '--days', '1', '--port', '0', '--http-port', '0'], {
      env: { ...process.env, [STATE_ENV]: stateDir }, timeout: 50_000,
    });
    expect(stdout).toContain(`lake ${lake.root}`);
    expect(stdout).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(stdout).toMatch(/backfill done: 7200 readings in the lake/);

    const perDevice = await lake.query('SELECT device_id, count(*) AS n FROM readings_unique GROUP BY device_id ORDER BY device_id');
    expect(perDevice).toEqual(['meter-0001', 'meter-0002', 'meter-0003', 'meter-0004', 'meter-0005'].map((device_id) => ({ device_id, n: 1440 })));
    expect(await lake.query('SELECT count(*) AS n FROM rejected_readings')).toEqual([{ n: 0 }]);
  });
});
