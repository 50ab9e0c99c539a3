// The agent suite: what one metering-box agent costs (CPU, RSS) while it samples a simulated
// meter every second and publishes batches to the twin over mutual TLS; and, for scale, what
// the fleet simulator costs with 1,000 and 10,000 devices (each its own TLS connection) in one
// process. Each measured process runs on its own (a child process), the broker in this one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { fleetDevices } from '../../firmware/simulator/fleet.ts';
import { addDevices } from '../../infra/local/devices/provision.ts';
import { credentialFiles, deviceDir } from '../../infra/local/state.ts';
import type { Log } from '../measure.ts';
import { buildAgent } from '../../firmware/agent/build.ts';
import { startAedesAlone, startTwinSystem } from '../twin/systems.ts';
import { watchProcess, type Usage } from './process-usage.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const AGENT_BIN = join(REPO, 'bin', 'wattlake-agent.js');
const FLEET_ENTRY = fileURLToPath(new URL('./fleet-process.ts', import.meta.url));

/** The budget for one agent. */
export const AGENT_RSS_TARGET_MIB = 64;

export interface AgentSuiteOptions {
  /** Measured seconds per run, after the warm-up. */
  seconds: number;
  warmupSeconds: number;
  fleetSizes: readonly number[];
  /** The simulator's cadence and batch (a message per device per minute at 15 s x 4). */
  fleetCadenceMs: number;
  fleetBatchSize: number;
  log: Log;
}

/**
 * How the agent runs: from the TypeScript sources through tsx (bin/wattlake-agent.js, development),
 * as the esbuild bundle (firmware/agent/build.ts), and as the systemd unit runs the bundle
 * (smaller V8 young generation, no optimizing compiler: the agent is idle almost all the time).
 */
export const AGENT_VARIANTS = [
  { name: 'tsx', label: 'bin/wattlake-agent.js (tsx)', nodeArgs: [] as string[] },
  { name: 'bundle', label: 'bundle, plain node', nodeArgs: [] as string[] },
  { name: 'shipped', label: 'bundle, node --max-semi-space-size=1 --lite-mode (wattlake-agent.service)', nodeArgs: ['--max-semi-space-size=1', '--lite-mode'] },
] as const;
export type AgentVariant = (typeof AGENT_VARIANTS)[number]['name'];

export interface ProcessRun {
  name: 'agent' | 'simulator';
  /** For agent runs. */
  variant?: AgentVariant;
  devices: number;
  cadenceMs: number;
  batchSize: number;
  /** From spawn until every device was connected. */
  startMs: number;
  usage: Usage;
  /** Readings acknowledged by the broker during the measured period. */
  readingsAcked: number;
  messagesAcked: number;
}

export interface AgentSuiteResult {
  params: Omit<AgentSuiteOptions, 'log'> & { cores: number };
  runs: ProcessRun[];
  /** Rows in the twin's lake after each agent run (everything it enqueued, warm-up and drain included). */
  storedAgentReadings: Partial<Record<AgentVariant, number | null>>;
}

function spawnLines(command: string, args: string[], onLine: (line: string) => void): { child: ChildProcess; exited: Promise<void>; stderr: () => string } {
  const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let rest = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { child, exited, stderr: () => stderr };
}

async function until(what: string, condition: () => boolean, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${stderr()}`);
    await sleep(100);
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function benchAgent(work: string, stateDir: string, variant: (typeof AGENT_VARIANTS)[number], bundle: string, options: AgentSuiteOptions): Promise<{ run: ProcessRun; stored: number | null }> {
  const { log } = options;
  const twin = await startTwinSystem({ stateDir, lake: join(work, `lake-${variant.name}`), bufferHints: { sizeMb: 1, intervalSeconds: 5 } });
  try {
    const files = credentialFiles(deviceDir(stateDir, 'agent-0001'));
    const config = join(work, 'agent.json');
    await writeFile(config, JSON.stringify({
      deviceId: 'agent-0001', siteId: 'site-agent', meter: { driver: 'simulated', profile: 'household', seed: 1 },
      sampling: { intervalMs: 1000 }, batch: { maxReadings: 10, maxAgeMs: 10_000 }, queue: { dir: join(work, `agent-queue-${variant.name}`) },
      mqtt: { url: `mqtts://127.0.0.1:${twin.port}`, ca: files.ca, cert: files.cert, key: files.key, protocolVersion: 4 },
      status: { intervalMs: 60_000 }, clock: { syncMarker: null },
    }));
    const lines: Record<string, unknown>[] = [];
    const started = performance.now();
    const entry = variant.name === 'tsx' ? AGENT_BIN : bundle;
    const agent = spawnLines(process.execPath, [...variant.nodeArgs, entry, 'run', '-c', config, '--log-level', 'debug'], (line) => {
      try { lines.push(JSON.parse(line) as Record<string, unknown>); } catch { /* not a log line */ }
    });
    try {
      await until('the agent to connect', () => lines.some((l) => l.msg === 'mqtt: connected'), 60_000, agent.stderr);
      const startMs = performance.now() - started;
      log(`agent (${variant.name}): connected after ${Math.round(startMs)} ms; warm-up ${options.warmupSeconds} s, then ${options.seconds} s measured`);
      await sleep(options.warmupSeconds * 1000);
      const enqueuedBefore = lines.filter((l) => l.msg === 'enqueued').length;
      const watch = watchProcess(agent.child.pid as number);
      await sleep(options.seconds * 1000);
      const usage = watch.stop();
      const enqueued = lines.filter((l) => l.msg === 'enqueued').slice(enqueuedBefore);
      await stopChild(agent.child, agent.exited);
      await twin.settle();
      return {
        run: {
          name: 'agent', variant: variant.name, devices: 1, cadenceMs: 1000, batchSize: 10, startMs, usage,
          messagesAcked: enqueued.length, readingsAcked: enqueued.reduce((n, l) => n + Number(l.readings), 0),
        },
        stored: await twin.storedReadings(),
      };
    } finally {
      agent.child.kill('SIGKILL');
    }
  } finally {
    await twin.close();
  }
}

async function benchFleet(stateDir: string, devices: number, options: AgentSuiteOptions): Promise<ProcessRun> {
  const { log, fleetCadenceMs, fleetBatchSize } = options;
  const broker = await startAedesAlone(stateDir);
  try {
    let progress: { connected: number; messagesAcked: number; readingsAcked: number } = { connected: 0, messagesAcked: 0, readingsAcked: 0 };
    const started = performance.now();
    const fleet = spawnLines(process.execPath, ['--import', 'tsx', FLEET_ENTRY, `mqtts://127.0.0.1:${broker.port}`, stateDir, String(devices), String(sitesFor(devices)), String(fleetCadenceMs), String(fleetBatchSize)], (line) => {
      try { progress = JSON.parse(line) as typeof progress; } catch { /* not a progress line */ }
    });
    try {
      await until(`${devices} devices to connect`, () => progress.connected >= devices, 30 * 60_000, fleet.stderr);
      const startMs = performance.now() - started;
      log(`simulator: ${devices} devices connected after ${Math.round(startMs)} ms; warm-up ${options.warmupSeconds} s, then ${options.seconds} s measured`);
      await sleep(options.warmupSeconds * 1000);
      const before = progress;
      const watch = watchProcess(fleet.child.pid as number);
      await sleep(options.seconds * 1000);
      const usage = watch.stop();
      const after = progress;
      await stopChild(fleet.child, fleet.exited);
      return {
        name: 'simulator', devices, cadenceMs: fleetCadenceMs, batchSize: fleetBatchSize, startMs, usage,
        messagesAcked: after.messagesAcked - before.messagesAcked, readingsAcked: after.readingsAcked - before.readingsAcked,
      };
    } finally {
      fleet.child.kill('SIGKILL');
    }
  } finally {
    await broker.close();
  }
}

const sitesFor = (devices: number): number => Math.max(1, Math.round(devices / 50));

export async function runAgentSuite(options: AgentSuiteOptions): Promise<AgentSuiteResult> {
  const { log } = options;
  const work = await mkdtemp(join(tmpdir(), 'wattlake-bench-agent-'));
  try {
    const stateDir = join(work, 'state');
    const things = [
      { deviceId: 'agent-0001', siteId: 'site-agent' },
      ...options.fleetSizes.flatMap((devices) => fleetDevices({ devices, sites: sitesFor(devices) }).map((d) => ({ deviceId: d.deviceId, siteId: d.siteId }))),
    ];
    log(`provisioning ${things.length} devices (local CA, ECDSA P-256 certificates)…`);
    await addDevices(stateDir, things);
    const runs: ProcessRun[] = [];
    const storedAgentReadings: AgentSuiteResult['storedAgentReadings'] = {};
    // Inside the repository, so that the bundle finds node_modules as it would on the box.
    const bundleDir = join(REPO, 'dist', `bench-agent-${process.pid}`);
    try {
      const bundle = await buildAgent(bundleDir);
      for (const variant of AGENT_VARIANTS) {
        const agent = await benchAgent(work, stateDir, variant, bundle, options);
        runs.push(agent.run);
        storedAgentReadings[variant.name] = agent.stored;
      }
    } finally {
      await rm(bundleDir, { recursive: true, force: true });
    }
    for (const devices of options.fleetSizes) runs.push(await benchFleet(stateDir, devices, options));
    const { log: _log, ...params } = options;
    return { params: { ...params, cores: availableParallelism() }, runs, storedAgentReadings };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `npm run bench -- --suite agent`: 60 s measured per process after 10 s of warm-up; fleets of 1,000 and 10,000. */
export const AGENT_DEFAULTS = { seconds: 60, warmupSeconds: 10, fleetSizes: [1000, 10_000], fleetCadenceMs: 15_000, fleetBatchSize: 4 } as const;
