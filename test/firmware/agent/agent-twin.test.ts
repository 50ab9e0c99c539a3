// The agent against the twin over mutual TLS, in-process: a simulated meter sampled every
// 200 ms while the twin (broker and all) is stopped for a while and started again on the same
// port. Every reading the agent took must be in the lake once, with the values it read, and the
// messages' seq must count up without a gap in the order of the readings.
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../../firmware/agent/agent.ts';
import type { AgentReading } from '../../../firmware/agent/reading.ts';
import { startTwin, type Twin } from '../../../infra/local/twin.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { DEVICE, SITE, stateWithDevice, tempDir, testConfig } from './fixture.ts';

const silent = pino({ level: 'silent' });
const MAX_READINGS = 5;

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const startTestTwin = (lake: TestLake, stateDir: string, port: number): Promise<Twin> =>
  startTwin({ lake: lake.root, stateDir, port, httpPort: 0, bufferHints: { sizeMb: 0.05, intervalSeconds: 0.3 }, logger: silent });

describe('agent -> twin over mqtts, with the twin stopped for 3 s mid-run', () => {
  let lake: TestLake;
  let stateDir: string;
  let queueDir: string;
  let agent: RunningAgent;
  const sampled: AgentReading[] = [];
  const during: { connected: boolean; queued: number; sampledBefore: number; sampledAfter: number } = { connected: true, queued: 0, sampledBefore: 0, sampledAfter: 0 };
  let connectsBefore = 0;

  beforeAll(async () => {
    lake = await createTestLake();
    stateDir = await stateWithDevice();
    queueDir = await tempDir('queue');
    let twin = await startTestTwin(lake, stateDir, 0);
    const port = twin.broker.port;
    agent = await startAgent({ config: testConfig({ stateDir, queueDir, port, maxReadings: MAX_READINGS }), logger: silent, onReading: (r) => sampled.push(r) });
    await until('two messages acknowledged', () => agent.publisher.stats.acked >= 2);
    connectsBefore = agent.publisher.stats.connects;

    await twin.close();
    during.sampledBefore = sampled.length;
    await sleep(3000);
    during.connected = agent.publisher.connected;
    during.queued = agent.queue.stats().messages;
    during.sampledAfter = sampled.length;

    twin = await startTestTwin(lake, stateDir, port);
    try {
      await until('the backlog delivered', () => agent.publisher.stats.connects > connectsBefore && agent.queue.stats().messages === 0);
      await sleep(600);
      await agent.stop({ drainMs: 10_000 });
      await twin.buffer.flush();
    } finally {
      await twin.close();
    }
  }, 90_000);
  afterAll(async () => {
    await agent?.stop({ drainMs: 0 });
    await lake?.dispose();
    await rm(stateDir, { recursive: true, force: true });
    await rm(queueDir, { recursive: true, force: true });
  });

  it('kept sampling into the disk queue while the broker was down', () => {
    expect(during.connected).toBe(false);
    expect(during.sampledAfter - during.sampledBefore).toBeGreaterThanOrEqual(10);
    expect(during.queued).toBeGreaterThanOrEqual(2);
  });

  it('delivered everything and left nothing queued or lost', () => {
    expect(agent.queue.stats()).toMatchObject({ messages: 0, evictedMessages: 0 });
    expect(agent.counters.readErrors).toBe(0);
  });

  it('stored every sampled reading exactly once (readings_unique), with the values read', async () => {
    const rows = await lake.query(`SELECT site_id, device_id, epoch_ms(ts) AS ts, energy_import_kwh::DOUBLE AS energy_import_kwh, power_w, voltage_v, current_a, power_factor, frequency_hz
      FROM readings_unique ORDER BY ts`);
    expect(rows).toEqual(sampled.map((r) => ({
      site_id: SITE, device_id: DEVICE, ts: Date.parse(r.ts), energy_import_kwh: r.energy_import_kwh,
      power_w: r.power_w, voltage_v: r.voltage_v, current_a: r.current_a, power_factor: r.power_factor, frequency_hz: r.frequency_hz,
    })));
    expect(await lake.query('SELECT count(*)::INTEGER AS n FROM rejected_readings')).toEqual([{ n: 0 }]);
  });

  it('stores at most the QoS 1 redeliveries of one PUBACK window twice', async () => {
    const [{ copies }] = await lake.query('SELECT (count(*) - count(DISTINCT ts))::INTEGER AS copies FROM readings') as [{ copies: number }];
    expect(copies).toBeLessThanOrEqual(4 * MAX_READINGS);
  });

  it('numbered the messages 0, 1, 2 … without a gap, in the order of the readings', async () => {
    const rows = await lake.query('SELECT epoch_ms(ts) AS ts, seq::INTEGER AS seq FROM readings_unique ORDER BY ts') as { ts: number; seq: number }[];
    const seqs = rows.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const distinct = [...new Set(seqs)];
    expect(distinct).toEqual(distinct.map((_, i) => i));
    expect(distinct.length).toBeGreaterThanOrEqual(Math.ceil(sampled.length / MAX_READINGS));
  });

  it('sampled on the 200 ms grid of the clock', () => {
    for (const r of sampled) expect(Date.parse(r.ts) % 200).toBe(0);
  });
});
