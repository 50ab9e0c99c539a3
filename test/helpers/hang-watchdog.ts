// A vitest reporter that turns a hung test run into a failed one that says where it hung. Each
// test has a timeout, but a worker blocked in synchronous or native code cannot time out, and
// CI then only reports that the whole job ran out of time, with none of the output. When no
// test has finished for STALL_MS, or vitest has not exited EXIT_GRACE_MS after the run ended,
// this prints the tests still running and this machine's processes, kills its workers and
// exits with 1.
import { execFileSync } from 'node:child_process';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';

/** Longer than any test's timeout (60 s) and any file's whole run (rollup: 2.5 min). */
export const STALL_MS = 10 * 60_000;
export const EXIT_GRACE_MS = 2 * 60_000;

export interface RunState {
  /** When a test last finished, or the run started. */
  lastProgress: number;
  /** When the run ended, if it has. */
  endedAt: number | null;
  /** In watch mode vitest stays up after a run, waiting for changes. */
  watching: boolean;
  /** Running tests, as last reported by their workers: module path and full name, by start time. */
  running: Map<string, { name: string; since: number }>;
  /**
   * Test files handed to a worker and not finished. A worker blocked in synchronous code may
   * not have reported which of its tests started, but the file is known here.
   */
  files: Map<string, number>;
}

export interface WatchdogLimits { stallMs: number; exitGraceMs: number; checkEveryMs: number }
const DEFAULT_LIMITS: WatchdogLimits = { stallMs: STALL_MS, exitGraceMs: EXIT_GRACE_MS, checkEveryMs: 15_000 };

/** Why the run counts as hung at `now`, or null while it does not. */
export function hangReason(state: RunState, now: number, { stallMs, exitGraceMs }: WatchdogLimits = DEFAULT_LIMITS): string | null {
  if (state.endedAt !== null) {
    return !state.watching && now - state.endedAt > exitGraceMs ? `every test has finished, but vitest has not exited ${Math.round((now - state.endedAt) / 1000)} s after the run ended` : null;
  }
  return now - state.lastProgress > stallMs ? `no test has finished for ${Math.round((now - state.lastProgress) / 1000)} s` : null;
}

/** The report printed before exiting: the reason, the tests still running, oldest first. */
export function hangReport(state: RunState, now: number, reason: string): string {
  const oldestFirst = (entries: { name: string; since: number }[]): string[] => entries.length === 0
    ? ['  none']
    : entries.sort((a, b) => a.since - b.since).map(({ name, since }) => `  ${name} (running for ${Math.round((now - since) / 1000)} s)`);
  return [
    `hang watchdog: ${reason}; stopping the run.`,
    'test files still running:', ...oldestFirst([...state.files].map(([name, since]) => ({ name, since }))),
    'tests still running, as their workers last reported:', ...oldestFirst([...state.running.values()]),
  ].join('\n');
}

export class HangWatchdog implements Reporter {
  private readonly state: RunState = { lastProgress: Date.now(), endedAt: null, watching: false, running: new Map(), files: new Map() };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly limits: WatchdogLimits = DEFAULT_LIMITS) {}

  onInit(vitest: Vitest): void {
    this.state.watching = vitest.config.watch;
  }

  onTestRunStart(): void {
    this.state.lastProgress = Date.now();
    this.state.endedAt = null;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.check(), this.limits.checkEveryMs);
    this.timer.unref(); // never what keeps vitest alive
  }

  onTestModuleQueued(module: TestModule): void {
    this.state.files.set(module.moduleId, Date.now());
  }

  onTestCaseReady(test: TestCase): void {
    this.state.running.set(test.id, { name: `${test.module.moduleId} > ${test.fullName}`, since: Date.now() });
  }

  onTestCaseResult(test: TestCase): void {
    this.state.running.delete(test.id);
    this.state.lastProgress = Date.now();
  }

  onTestModuleEnd(module: TestModule): void {
    this.state.files.delete(module.moduleId);
    this.state.lastProgress = Date.now();
  }

  onTestRunEnd(): void {
    this.state.endedAt = Date.now();
  }

  private check(): void {
    const now = Date.now();
    const reason = hangReason(this.state, now, this.limits);
    if (reason === null) return;
    process.stderr.write(`\n${hangReport(this.state, now, reason)}\n${processList()}\n`);
    // The workers would outlive vitest, still blocked; their own children notice them go.
    for (const pid of childPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(1);
  }
}

function childPids(): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8', timeout: 10_000 }).split('\n').filter((line) => line.trim() !== '').map(Number);
  } catch {
    return []; // ps exits with 1 when there are none
  }
}

/** The machine's processes but kernel threads: what a test may have left running or blocked. */
function processList(): string {
  try {
    const lines = execFileSync('ps', ['-eo', 'pid,ppid,ni,etime,time,stat,args', '--sort=start_time'], { encoding: 'utf8', timeout: 10_000 }).split('\n');
    return ['processes:', ...lines.filter((line, i) => i === 0 || (line.trim() !== '' && !/^\s*\d+\s+(0|2)\s.*\s\[[^\]]+\]$/.test(line)))].join('\n');
  } catch (error) {
    return `processes: ps failed: ${(error as Error).message}`;
  }
}
