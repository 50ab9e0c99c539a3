// Smoke test of the twin benchmark on a tiny fleet at a low rate, so the bench code cannot rot
// unnoticed. No timing assertions: only that every run happened, in a separate load-generator
// process, and that the twin's lake holds every reading the devices were acknowledged.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../bench/measure.ts';
import { GeneratorProcess } from '../../bench/twin/generator-process.ts';
import { firstReadingTs } from '../../bench/twin/payloads.ts';
import { LOADS, runTwinSuite, type TwinSuiteResult } from '../../bench/twin/suite.ts';
import { twinTables } from '../../bench/twin/tables.ts';
import { fleetDevices } from '../../firmware/simulator/fleet.ts';
import { startBroker } from '../../infra/local/broker/server.ts';
import { addDevices } from '../../infra/local/devices/provision.ts';

const DEVICES = 10;
const MESSAGES_PER_DEVICE = 3;

describe('twin benchmark suite (10 TLS devices, 1 s paced runs at 200 messages/s)', () => {
  let result: TwinSuiteResult;
  beforeAll(async () => {
    result = await runTwinSuite({
      devices: DEVICES, messagesPerDevice: MESSAGES_PER_DEVICE, pacedSeconds: 1, pacedMessagesPerSecond: 200, warmupSeconds: 0.2, pauseMs: 0,
      bufferHints: { sizeMb: 1, intervalSeconds: 1 }, window: 1, log: silentLog,
    });
  }, 60_000);

  it('runs each load paced (at a quarter of the rate, at half of it, then at the rate) and at maximum rate, against aedes alone and then the twin', () => {
    const expected = (['aedes', 'twin'] as const).flatMap((system) => [
      ...LOADS.flatMap((load) => [`${system} ${load.name} paced 50/s`, `${system} ${load.name} paced 100/s`, `${system} ${load.name} paced 200/s`]),
      ...LOADS.map((load) => `${system} ${load.name} max`),
    ]);
    expect(result.runs.map((r) => `${r.system} ${r.load} ${r.spec.kind}${r.spec.kind === 'paced' ? ` ${r.spec.messagesPerSecond}/s` : ''}`)).toEqual(expected);
  });

  it('gets every publish of a max run acknowledged, with as many readings as the load puts in a message', () => {
    for (const run of result.runs.filter((r) => r.spec.kind === 'max')) {
      expect(run.generator).toMatchObject({ messages: DEVICES * MESSAGES_PER_DEVICE, readings: DEVICES * MESSAGES_PER_DEVICE * run.spec.readingsPerMessage, failed: 0 });
      expect(run.generator.latency.count).toBe(run.generator.messages);
    }
  });

  it('measures PUBACK latency in the paced runs after their ramp, and the CPU of both processes', () => {
    for (const run of result.runs.filter((r) => r.spec.kind === 'paced')) {
      expect(run.generator.failed).toBe(0);
      expect(run.generator.messages).toBeGreaterThan(0);
      expect(run.generator.latency.count).toBeGreaterThan(0);
      expect(run.generator.latency.count).toBeLessThan(run.generator.messages);
      expect(run.generator.latency.p99Ms).toBeGreaterThanOrEqual(run.generator.latency.p50Ms);
    }
    for (const run of result.runs) {
      expect(run.systemCpuMs).toBeGreaterThan(0);
      expect(run.generator.cpuMs).toBeGreaterThan(0);
    }
  });

  it('finds every reading acknowledged by the twin in its lake, and keeps nothing for aedes alone', () => {
    const [aedes, twin] = result.systems;
    expect(aedes).toMatchObject({ system: 'aedes', storedReadings: null, buffer: null });
    expect(twin?.system).toBe('twin');
    expect(twin?.ackedReadings).toBeGreaterThan(0);
    expect(twin?.storedReadings).toBe(twin?.ackedReadings);
    expect(twin?.buffer?.curatedFiles).toBeGreaterThan(0);
  });

  it('renders the set-up, both kinds of runs and the acceptance targets', () => {
    const markdown = twinTables(result);
    for (const heading of ['set-up', 'maximum sustained throughput', 'at set rates', 'acceptance']) expect(markdown).toContain(`### Twin: ${heading}`);
    const twin = result.systems[1]!;
    expect(markdown).toContain(`| ${twin.storedReadings!.toLocaleString('en-US')} / ${twin.ackedReadings.toLocaleString('en-US')} | n/a (keeps nothing) |  | equal: pass |`);
  });
});

describe('load generator', () => {
  it('builds a run\'s messages on `prepare` and publishes only on `start`, so that runs are timed from their first publish', async () => {
    const work = await mkdtemp(join(tmpdir(), 'wattlake-generator-'));
    const fleet = fleetDevices({ devices: 4, sites: 1 }).map(({ deviceId, siteId }) => ({ deviceId, siteId }));
    await addDevices(work, fleet);
    let received = 0;
    const broker = await startBroker({ stateDir: work, port: 0, sink: () => { received++; return Promise.resolve(); }, logger: pino({ level: 'silent' }) });
    const { generator } = await GeneratorProcess.start({ url: `mqtts://127.0.0.1:${broker.port}`, stateDir: work, devices: fleet, connectConcurrency: 4, firstTs: firstReadingTs() });
    try {
      await generator.prepare({ kind: 'max', readingsPerMessage: 10, messagesPerDevice: 5, window: 1 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received).toBe(0);
      const result = await generator.start();
      expect(result).toMatchObject({ messages: 20, readings: 200, failed: 0 });
      expect(received).toBe(20);
      await expect(generator.start()).rejects.toThrow(/run before prepare/);
    } finally {
      await generator.stop();
      await broker.close();
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);
});
