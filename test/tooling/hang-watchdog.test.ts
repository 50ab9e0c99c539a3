// The test run's hang watchdog (test/helpers/hang-watchdog.ts): a hung run must end as a failure
// that names the test it hung in, never as a silent CI timeout.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_GRACE_MS, hangReason, hangReport, STALL_MS, type RunState } from '../helpers/hang-watchdog.ts';

const T0 = Date.UTC(2026, 10, 26, 20, 0, 0);
const FIXTURE = fileURLToPath(new URL('../fixtures/hang-watchdog/', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

const state = (overrides: Partial<RunState> = {}): RunState => ({ lastProgress: T0, endedAt: null, watching: false, running: new Map(), files: new Map(), ...overrides });

describe('hang watchdog', () => {
  it('lets a run go on while tests keep finishing, however long it takes in all', () => {
    expect(hangReason(state(), T0 + STALL_MS)).toBeNull();
  });

  it('calls a run hung once no test has finished for longer than any test may take', () => {
    expect(hangReason(state(), T0 + STALL_MS + 1_000)).toBe('no test has finished for 601 s');
  });

  it('calls a run hung when vitest has not exited a while after every test finished', () => {
    const ended = state({ endedAt: T0 });
    expect(hangReason(ended, T0 + EXIT_GRACE_MS)).toBeNull();
    expect(hangReason(ended, T0 + EXIT_GRACE_MS + 1_000)).toBe('every test has finished, but vitest has not exited 121 s after the run ended');
  });

  it('leaves watch mode alone between runs', () => {
    expect(hangReason(state({ endedAt: T0, watching: true }), T0 + 60 * 60_000)).toBeNull();
  });

  it('reports the tests still running, the longest-running first', () => {
    const running = new Map([
      ['b', { name: 'test/b.test.ts > later', since: T0 + 5_000 }],
      ['a', { name: 'test/a.test.ts > earlier', since: T0 }],
    ]);
    const files = new Map([['test/a.test.ts', T0 - 1_000], ['test/b.test.ts', T0 + 4_000]]);
    expect(hangReport(state({ running, files }), T0 + 20_000, 'no test has finished for 20 s')).toBe([
      'hang watchdog: no test has finished for 20 s; stopping the run.',
      'test files still running:',
      '  test/a.test.ts (running for 21 s)',
      '  test/b.test.ts (running for 16 s)',
      'tests still running, as their workers last reported:',
      '  test/a.test.ts > earlier (running for 20 s)',
      '  test/b.test.ts > later (running for 15 s)',
    ].join('\n'));
  });

  it('says so when no test file is running', () => {
    expect(hangReport(state({ endedAt: T0 }), T0 + 200_000, 'every test has finished')).toBe([
      'hang watchdog: every test has finished; stopping the run.',
      'test files still running:',
      '  none',
      'tests still running, as their workers last reported:',
      '  none',
    ].join('\n'));
  });

  it('stops a real vitest run whose worker is blocked: exit code 1, the blocked file named, the worker killed', async () => {
    const child = spawn(process.execPath, [VITEST, 'run', '--config', 'vitest.config.ts'], { cwd: FIXTURE, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const began = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output).toBe(1);
    expect(Date.now() - began, output).toBeLessThan(40_000); // long before the blocked test's minute is up
    expect(output).toMatch(/hang watchdog: no test has finished for \d+ s; stopping the run\./);
    // The worker is blocked before it can report which test started; the file is known all the same.
    expect(output).toMatch(/test files still running:\n {2}\S*\/blocks\.fixture\.ts \(running for \d+ s\)/);
    const worker = new RegExp(`^\\s*(\\d+)\\s+${child.pid}\\s.*forks\\.js`, 'm').exec(output);
    expect(worker, output).not.toBeNull();
    // Killed, not left blocked (a killed process may take a moment to be reaped).
    const deadline = Date.now() + 5_000;
    while (existsSync(`/proc/${worker![1]}`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(`/proc/${worker![1]}`)).toBe(false);
  }, 60_000);
});
