import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsFromStateDir } from '../../../firmware/simulator/device-credentials.ts';
import { fleetDevices, generateFleetMessages, type FleetLayout } from '../../../firmware/simulator/fleet.ts';
import { runMqttFleet, type FleetProgress, type MqttFleetOptions } from '../../../firmware/simulator/mqtt-fleet.ts';
import { startBroker, type RunningBroker } from '../../../infra/local/broker/server.ts';
import type { AcceptedPublish } from '../../../infra/local/broker/types.ts';
import { openDurableBuffer } from '../../../infra/local/buffer/durable-buffer.ts';
import { addDevices } from '../../../infra/local/devices/provision.ts';
import { createTestLake } from '../../helpers/lake.ts';

const LAYOUT: FleetLayout = { devices: 4, sites: 2, tsFormat: 'mixed' };
const BACKFILL = { ...LAYOUT, start: '2026-11-20T00:00:00Z', end: '2026-11-20T06:00:00Z', cadenceMs: 300_000, batchSize: 6, seed: 11 };

interface Batch { device_id: string; readings: { ts: string | number }[] }
const batchOf = (publish: AcceptedPublish): Batch => JSON.parse(publish.payload.toString('utf8')) as Batch;
const lastTs = (batch: Batch): number => Math.max(...batch.readings.map((r) => (typeof r.ts === 'number' ? r.ts : Date.parse(r.ts))));

describe('runMqttFleet against the twin broker (mutual TLS)', () => {
  let stateDir: string;
  let broker: RunningBroker;
  let received: AcceptedPublish[];
  /** What the sink does before it resolves (the buffer's fsync, in the twin). */
  let beforeAck: (publish: AcceptedPublish) => Promise<void>;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'wattlake-fleet-'));
    await addDevices(stateDir, fleetDevices(LAYOUT).map((d) => ({ deviceId: d.deviceId, siteId: d.siteId })));
    received = [];
    beforeAck = async () => undefined;
    broker = await startBroker({
      stateDir, port: 0,
      sink: async (publish) => {
        received.push(publish);
        await beforeAck(publish);
      },
    });
  });
  afterEach(async () => {
    await broker.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  const run = (options: Partial<MqttFleetOptions> = {}) => runMqttFleet({
    url: `mqtts://127.0.0.1:${broker.port}`, credentials: credentialsFromStateDir(stateDir), mode: 'backfill', ...BACKFILL, ...options,
  });

  it('backfills every message of the model, each acknowledged, from the device it belongs to', async () => {
    const model = [...generateFleetMessages(BACKFILL)];
    const modelReadings = model.reduce((n, m) => n + m.payload.readings.length, 0);

    const summary = await run();

    expect(summary).toMatchObject({ messages: model.length, readings: modelReadings, failed: 0 });
    expect(received).toHaveLength(model.length);
    expect(received.reduce((n, p) => n + batchOf(p).readings.length, 0)).toBe(modelReadings);
    for (const publish of received) {
      expect(publish.topic).toBe(`dt/energy/${publish.topic.split('/')[2]}/${publish.clientId}/readings`);
      expect(batchOf(publish).device_id).toBe(publish.clientId);
    }
    expect(new Set(received.map((p) => p.clientId))).toEqual(new Set(fleetDevices(LAYOUT).map((d) => d.deviceId)));
  });

  it('keeps at most the in-flight window of unacknowledged publishes per device', async () => {
    const open = new Map<string, number>();
    let widest = 0;
    beforeAck = async ({ clientId }) => {
      open.set(clientId, (open.get(clientId) ?? 0) + 1);
      widest = Math.max(widest, open.get(clientId)!);
      await sleep(15);
      open.set(clientId, open.get(clientId)! - 1);
    };
    await run({ maxInFlightPerDevice: 2 });
    expect(widest).toBe(2);
  });

  it('reports progress: acknowledged messages and readings, rates and what is in flight', async () => {
    beforeAck = () => sleep(5);
    const reports: FleetProgress[] = [];
    const summary = await run({ onProgress: (p) => reports.push(p), progressIntervalMs: 50 });
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.some((r) => r.inFlight > 0 && r.messagesPerSecond > 0)).toBe(true);
    expect(reports.at(-1)).toMatchObject({ mode: 'backfill', messagesAcked: summary.messages, readingsAcked: summary.readings, inFlight: 0, connected: 4 });
  });

  it('in live mode catches up on the past, then publishes no batch before its last reading was taken', async () => {
    const cadenceMs = 250;
    const now = Date.now();
    const start = now - 1000;
    const end = now + 1500;
    const summary = await run({ mode: 'live', start, end, cadenceMs, batchSize: 2 });
    expect(summary.failed).toBe(0);
    expect(received.some((p) => lastTs(batchOf(p)) < now)).toBe(true); // caught up
    expect(received.some((p) => lastTs(batchOf(p)) > now + 500)).toBe(true); // then followed the clock
    for (const publish of received) expect(publish.receivedAt).toBeGreaterThanOrEqual(lastTs(batchOf(publish)));
  });

  it('stops live mode when aborted, after the publishes in flight were acknowledged', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 600);
    const started = Date.now();
    const summary = await run({ mode: 'live', start: Date.now(), end: undefined, cadenceMs: 100, batchSize: 1, signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(summary.messages).toBeGreaterThan(0);
    expect(summary.messages).toBe(received.length);
  });

  it('refuses to start when a device cannot connect as itself', async () => {
    const real = credentialsFromStateDir(stateDir);
    const swapped = (deviceId: string) => real(deviceId === 'meter-0001' ? 'meter-0002' : deviceId);
    await expect(run({ credentials: swapped })).rejects.toThrow(/meter-0001 could not connect/);
  });

  it('through the durable buffer, lands the backfill in the lake with every reading of the model', async () => {
    const lake = await createTestLake();
    const bufferState = await mkdtemp(join(tmpdir(), 'wattlake-fleet-buffer-'));
    try {
      const buffer = await openDurableBuffer({ stateDir: bufferState, store: lake.store, duckdb: lake.duckdb, bufferHints: { sizeMb: 64, intervalSeconds: 600 } });
      beforeAck = (publish) => buffer.sink(publish);
      const summary = await run();
      await buffer.close();
      const [row] = await lake.query('SELECT count(*)::INT AS n, count(DISTINCT device_id)::INT AS devices FROM readings_unique');
      expect(row).toEqual({ n: summary.readings, devices: LAYOUT.devices });
    } finally {
      await lake.dispose();
      await rm(bufferState, { recursive: true, force: true });
    }
  });
});
