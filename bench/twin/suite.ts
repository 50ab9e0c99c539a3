// The twin suite: 1,000 TLS devices (by default) publish to aedes alone, then to the twin, each
// with two loads (batched: 10 readings a message; single: 1), each load run twice:
// - paced: an open loop at the target rate (and at a quarter and a half of it), for the PUBACK
//   latency at that load;
// - max: a closed loop (each device keeps a small window of unacknowledged publishes), so the
//   system sets the pace; measured publish -> PUBACK and, for the twin, publish -> Parquet
//   (until the flush after the last PUBACK has delivered and converted everything).
// The devices run in a forked process (load-generator.ts); the system under test runs here
// (the twin with its delivery process).
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fleetDevices } from '../../firmware/simulator/fleet.ts';
import type { BufferHints, DurableBufferStats } from '../../infra/local/buffer/durable-buffer.ts';
import { addDevices } from '../../infra/local/devices/provision.ts';
import type { Log } from '../measure.ts';
import { GeneratorProcess } from './generator-process.ts';
import type { LoadResult, LoadSpec } from './load-protocol.ts';
import { firstReadingTs } from './payloads.ts';
import { startAedesAlone, startTwinSystem, type SystemName, type SystemUnderTest } from './systems.ts';

/** The targets: 100,000 readings/s batched (10,000 messages of 10), 10,000 single-reading messages/s, p99 PUBACK <= 50 ms at that load. */
export const TARGETS = { batchedReadingsPerSecond: 100_000, singleMessagesPerSecond: 10_000, p99PubackMs: 50 } as const;

export const LOADS = [
  { name: 'batched', readingsPerMessage: 10, pacedMessagesPerSecond: TARGETS.batchedReadingsPerSecond / 10 },
  { name: 'single', readingsPerMessage: 1, pacedMessagesPerSecond: TARGETS.singleMessagesPerSecond },
] as const;
export type LoadName = (typeof LOADS)[number]['name'];
/** Paced runs go at these shares of the target rate: the target itself, and a quarter and a half of it, to show where the latency turns. */
export const PACED_FRACTIONS = [0.25, 0.5, 1] as const;

export interface TwinSuiteOptions {
  devices: number;
  /** Messages each device publishes in a max run. */
  messagesPerDevice: number;
  /** Duration of a paced run. */
  pacedSeconds: number;
  /** Overrides the paced rates (the targets), e.g. for a smoke test. */
  pacedMessagesPerSecond?: number;
  bufferHints: BufferHints;
  /** Unacknowledged publishes per device in a max run. */
  window: number;
  /** Idle time before each run, after the previous one has settled. */
  pauseMs: number;
  /** Length of the paced warm-up (at half the paced rate) per load. */
  warmupSeconds: number;
  log: Log;
}

export interface RunResult {
  system: SystemName;
  load: LoadName;
  spec: LoadSpec;
  /** What the load generator measured: acknowledged messages and readings, publish -> PUBACK latency. */
  generator: LoadResult;
  /** From the run's start until its readings were in curated Parquet (twin), or until the last PUBACK (aedes). */
  endToEndMs: number;
  /** CPU time of the system under test (this process, all its threads, and the twin's delivery process) during the run. */
  systemCpuMs: number;
  /** p99 of this process's event-loop delay during the run: how long a PUBACK could wait behind other work. */
  eventLoopDelayP99Ms: number;
  /** CPU time the machine spent on anything but these two processes during the run (other users make timings noisy). */
  otherCpuMs: number;
}

export interface SystemSetup {
  system: SystemName;
  connectMs: number;
  /** Readings acknowledged to devices over all runs, warm-up included, and rows found in the lake. */
  ackedReadings: number;
  storedReadings: number | null;
  buffer: Pick<DurableBufferStats, 'segmentsDelivered' | 'curatedFiles' | 'fsyncs' | 'spooled' | 'backpressureWaits' | 'deliveryRetries'> | null;
}

export interface TwinSuiteResult {
  params: Omit<TwinSuiteOptions, 'log'> & { cores: number };
  provisionMs: number;
  systems: SystemSetup[];
  runs: RunResult[];
}

export async function runTwinSuite(options: TwinSuiteOptions): Promise<TwinSuiteResult> {
  const { devices, log } = options;
  const work = await mkdtemp(join(tmpdir(), 'wattlake-bench-twin-'));
  try {
    const stateDir = join(work, 'state');
    const fleet = fleetDevices({ devices, sites: Math.max(1, Math.round(devices / 50)) }).map((d) => ({ deviceId: d.deviceId, siteId: d.siteId }));
    log(`provisioning ${devices} devices (local CA, ECDSA P-256 certificates)…`);
    const provisionStart = performance.now();
    await addDevices(stateDir, fleet);
    const provisionMs = performance.now() - provisionStart;

    const systems: SystemSetup[] = [];
    const runs: RunResult[] = [];
    const starts: Record<SystemName, () => Promise<SystemUnderTest>> = {
      aedes: () => startAedesAlone(stateDir),
      twin: () => startTwinSystem({ stateDir, lake: join(work, 'lake'), bufferHints: options.bufferHints }),
    };
    for (const name of ['aedes', 'twin'] as const) {
      const system = await starts[name]();
      try {
        const { setup, results } = await benchSystem(system, fleet, stateDir, options);
        systems.push(setup);
        runs.push(...results);
      } finally {
        await system.close();
      }
    }
    const { log: _log, ...params } = options;
    return { params: { ...params, cores: availableParallelism() }, provisionMs, systems, runs };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function benchSystem(system: SystemUnderTest, fleet: { deviceId: string; siteId: string }[], stateDir: string, options: TwinSuiteOptions): Promise<{ setup: SystemSetup; results: RunResult[] }> {
  const { log } = options;
  log(`${system.name}: connecting ${fleet.length} devices over mutual TLS from the load-generator process…`);
  const { generator, connectMs } = await GeneratorProcess.start({
    url: `mqtts://127.0.0.1:${system.port}`, stateDir, devices: fleet, connectConcurrency: 50, firstTs: firstReadingTs(),
  });
  const results: RunResult[] = [];
  let ackedReadings = 0;
  const pacedRate = (load: (typeof LOADS)[number]): number => options.pacedMessagesPerSecond ?? load.pacedMessagesPerSecond;
  try {
    // JIT, TLS buffers, the first spool segments and Parquet files: none of it in the measurements.
    log(`${system.name}: warm-up`);
    for (const load of LOADS) {
      ackedReadings += (await generator.run({ kind: 'max', readingsPerMessage: load.readingsPerMessage, messagesPerDevice: 3, window: 1 })).readings;
      ackedReadings += (await generator.run({
        kind: 'paced', readingsPerMessage: load.readingsPerMessage, messagesPerSecond: pacedRate(load) / 2, seconds: options.warmupSeconds, rampSeconds: 0, maxInFlightPerDevice: 100,
      })).readings;
    }
    // Paced runs first: a max run leaves both processes with grown heaps and a backlog of work
    // that would otherwise be billed to the latency of whatever runs next.
    const specs: [LoadName, LoadSpec][] = [
      ...LOADS.flatMap((load) => PACED_FRACTIONS.map((fraction): [LoadName, LoadSpec] => [load.name, {
        kind: 'paced', readingsPerMessage: load.readingsPerMessage, messagesPerSecond: fraction * pacedRate(load),
        seconds: options.pacedSeconds, rampSeconds: Math.min(2, options.pacedSeconds / 5), maxInFlightPerDevice: 100,
      }])),
      ...LOADS.map((load): [LoadName, LoadSpec] => [load.name, { kind: 'max', readingsPerMessage: load.readingsPerMessage, messagesPerDevice: options.messagesPerDevice, window: options.window }]),
    ];
    for (const [load, spec] of specs) {
      await system.settle();
      await sleep(options.pauseMs);
      log(`${system.name}: ${load} ${spec.kind}…`);
      const result = await measureRun(system, generator, load, spec);
      ackedReadings += result.generator.readings;
      log(`  ${result.generator.messages} messages, ${result.generator.readings} readings in ${Math.round(result.endToEndMs)} ms; PUBACK p50 ${result.generator.latency.p50Ms.toFixed(1)} ms, p99 ${result.generator.latency.p99Ms.toFixed(1)} ms`);
      results.push(result);
    }
  } finally {
    await generator.stop();
  }
  const stats = system.bufferStats();
  return {
    setup: {
      system: system.name, connectMs, ackedReadings, storedReadings: await system.storedReadings(),
      buffer: stats && {
        segmentsDelivered: stats.segmentsDelivered, curatedFiles: stats.curatedFiles, fsyncs: stats.fsyncs, spooled: stats.spooled,
        backpressureWaits: stats.backpressureWaits, deliveryRetries: stats.deliveryRetries,
      },
    },
    results,
  };
}

/** Busy (non-idle) CPU time of the whole machine so far, all cores. */
const machineBusyMs = (): number => cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);

async function measureRun(system: SystemUnderTest, generator: GeneratorProcess, load: LoadName, spec: LoadSpec): Promise<RunResult> {
  // Building a max run's messages takes the generator about a second: not part of publish -> Parquet.
  await generator.prepare(spec);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const cpuBefore = system.cpuMs();
  const busyBefore = machineBusyMs();
  const started = performance.now();
  const result = await generator.start();
  await system.settle();
  const endToEndMs = performance.now() - started;
  const systemCpuMs = system.cpuMs() - cpuBefore;
  const busy = machineBusyMs() - busyBefore;
  delay.disable();
  return {
    system: system.name, load, spec, generator: result, endToEndMs, systemCpuMs, eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    // The generator's CPU covers its part of the run only, so this is an upper bound on others' use during settle().
    otherCpuMs: Math.max(0, busy - systemCpuMs - result.cpuMs),
  };
}

/** `npm run bench` defaults: the demo's buffer hints, 12 s paced runs (2 s ramp), 2 unacknowledged publishes per device in max runs. */
export const TWIN_DEFAULTS = { pacedSeconds: 12, bufferHints: { sizeMb: 16, intervalSeconds: 5 }, window: 2, pauseMs: 2000, warmupSeconds: 2 } as const;

/** The suite's options from the bench CLI's: `readings` per device are published as readings/10 messages per device in each max run. */
export function twinSuiteOptions({ devices, readings, log }: { devices: number; readings: number; log: Log }): TwinSuiteOptions {
  return { devices, messagesPerDevice: Math.max(1, Math.round(readings / 10)), ...TWIN_DEFAULTS, bufferHints: { ...TWIN_DEFAULTS.bufferHints }, log };
}
