// `wattlake up` twice on one state folder, as a user might by accident: the second refuses to
// start, naming the first's PID, and leaves the first running; once the first is gone (even by
// kill -9, which leaves its lock behind), the folder can be used again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATE_ENV } from '../../../../infra/local/state.ts';
import { execFileAsync, WATTLAKE_BIN } from '../../../helpers/cli.ts';

const upArgs = (lake: string): string[] => [WATTLAKE_BIN, '--lake', lake, 'up', '--port', '0', '--http-port', '0'];

/** Starts `wattlake up` and resolves once it says it is up. */
async function startUp(stateDir: string, lake: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, upArgs(lake), { env: { ...process.env, [STATE_ENV]: stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wattlake up did not start in time:\n${output}`)), 30_000);
    const look = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('wattlake twin is up')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => reject(new Error(`wattlake up exited (${code}):\n${output}`)));
  });
  return child;
}

const exited = (child: ChildProcess): Promise<void> => new Promise((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve();
  else child.once('exit', () => resolve());
});

describe('wattlake up: one process per state folder', () => {
  let stateDir: string;
  let lake: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'wattlake-up-lock-'));
    lake = join(stateDir, 'lake');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await rm(stateDir, { recursive: true, force: true });
  });

  it('refuses a second twin on the same state folder, naming the PID of the first, and takes the folder over once the first was killed', async () => {
    const first = await startUp(stateDir, lake);
    children.push(first);
    const second = execFileAsync(process.execPath, upArgs(lake), { env: { ...process.env, [STATE_ENV]: stateDir }, timeout: 30_000 });
    await expect(second).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`in use by another wattlake process (PID ${first.pid})`),
    });
    expect(first.exitCode).toBeNull(); // the first twin runs on

    first.kill('SIGKILL');
    await exited(first);
    const third = await startUp(stateDir, lake);
    children.push(third);
    third.kill('SIGTERM');
    await exited(third);
    expect(third.exitCode).toBe(0);
  }, 90_000);
});
