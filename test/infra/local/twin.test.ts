// The local twin end to end, in-process: simulated meters publish over mqtts with their own
// certificates, the twin spools, transforms and converts, and DuckDB over the lake's curated
// Parquet answers with exactly what the meters sent.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { credentialsFromStateDir } from '../../../firmware/simulator/device-credentials.ts';
import { fleetDevices, generateFleetMessages, type FleetOptions } from '../../../firmware/simulator/fleet.ts';
import { runMqttFleet, type FleetRunSummary } from '../../../firmware/simulator/mqtt-fleet.ts';
import { addDevices } from '../../../infra/local/devices/provision.ts';
import { startTwin, type Twin } from '../../../infra/local/twin.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { connectTwinDevice, publishAcked } from '../../helpers/twin-device.ts';

const silent = pino({ level: 'silent' });

/** K = 5 meters on 2 sites, ISO and epoch-ms timestamps, 6 hours of one-minute readings in batches of 10. */
const FLEET: FleetOptions = {
  devices: 5, sites: 2, tsFormat: 'mixed',
  start: '2026-11-24T00:00:00Z', end: '2026-11-24T06:00:00Z', cadenceMs: 60_000, batchSize: 10, seed: 3,
};

interface StoredReading { site_id: string; device_id: string; ts: number; energy_import_kwh: number; power_w: number; seq: number }

/** The readings the fleet model publishes, as the lake should hold them, sorted like the query below. */
function modelReadings(): StoredReading[] {
  const rows: StoredReading[] = [];
  for (const { topic, payload } of generateFleetMessages(FLEET)) {
    for (const r of payload.readings) {
      rows.push({
        site_id: topic.split('/')[2] as string, device_id: payload.device_id,
        ts: typeof r.ts === 'number' ? r.ts : Date.parse(r.ts), energy_import_kwh: r.energy_import_kwh, power_w: r.power_w, seq: payload.seq,
      });
    }
  }
  return rows.sort((a, b) => a.device_id.localeCompare(b.device_id) || a.ts - b.ts);
}

const STORED_SQL = `SELECT site_id, device_id, epoch_ms(ts) AS ts, energy_import_kwh, power_w, seq::BIGINT AS seq
  FROM readings ORDER BY device_id, ts`;

async function tempStateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'wattlake-twin-state-'));
}

describe('the twin, with K = 5 simulated meters publishing over mqtts', () => {
  let lake: TestLake;
  let stateDir: string;
  let twin: Twin;
  let summary: FleetRunSummary;

  beforeAll(async () => {
    lake = await createTestLake();
    stateDir = await tempStateDir();
    await addDevices(stateDir, fleetDevices(FLEET).map((d) => ({ deviceId: d.deviceId, siteId: d.siteId })));
    // Small hints, so the run is delivered as several segments while the meters are still publishing.
    twin = await startTwin({ lake: lake.root, stateDir, port: 0, httpPort: 0, bufferHints: { sizeMb: 0.05, intervalSeconds: 0.5 }, logger: silent });
    summary = await runMqttFleet({ url: `mqtts://127.0.0.1:${twin.broker.port}`, mode: 'backfill', credentials: credentialsFromStateDir(stateDir), ...FLEET });
    await twin.buffer.flush();
  });
  afterAll(async () => {
    await twin?.close();
    await lake?.dispose();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('acknowledges every message the meters publish', () => {
    const messages = [...generateFleetMessages(FLEET)];
    expect(summary).toMatchObject({ messages: messages.length, readings: messages.reduce((n, m) => n + m.payload.readings.length, 0), failed: 0 });
  });

  it('answers from curated Parquet with exactly the published readings: same devices, timestamps and values, nothing else', async () => {
    const expected = modelReadings();
    expect(expected).toHaveLength(5 * 360);
    expect(await lake.query(STORED_SQL)).toEqual(expected);
    expect(await lake.query('SELECT count(*) AS n FROM rejected_readings')).toEqual([{ n: 0 }]);
  });

  it('delivered the run as several buffer segments (the size hint), each converted to Parquet', () => {
    const stats = twin.buffer.stats;
    expect(stats.segmentsDelivered).toBeGreaterThan(1);
    expect(stats.segmentsPending).toBe(0);
    expect(stats.curatedFiles).toBeGreaterThanOrEqual(stats.segmentsDelivered);
  });

  it('serves /metrics in the Prometheus text format, with the accepted readings count', async () => {
    const response = await fetch(`http://127.0.0.1:${twin.http.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('# TYPE wattlake_readings_accepted_total gauge');
    expect(text).toMatch(new RegExp(`^wattlake_readings_accepted_total ${5 * 360}$`, 'm'));
    expect(text).toMatch(new RegExp(`^wattlake_buffer_spooled_records_total ${summary.messages}$`, 'm'));
    expect(text).toMatch(/^wattlake_buffer_segments_pending 0$/m);
  });
});

describe('closing the twin', () => {
  let lake: TestLake;
  let stateDir: string;
  let twin: Twin;
  let client: MqttClient;

  beforeEach(async () => {
    lake = await createTestLake();
    stateDir = await tempStateDir();
    await addDevices(stateDir, [{ deviceId: 'meter-0001', siteId: 'site-01' }]);
    // Hints that never fire during the test: only close() can deliver.
    twin = await startTwin({ lake: lake.root, stateDir, port: 0, httpPort: 0, bufferHints: { sizeMb: 64, intervalSeconds: 600 }, logger: silent });
    client = await connectTwinDevice(stateDir, 'meter-0001', twin.broker.port);
  });
  afterEach(async () => {
    await client.endAsync(true);
    await twin.close();
    await lake.dispose();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('delivers everything spooled to the lake before it stops', async () => {
    const first = Date.parse('2026-11-24T12:00:00Z');
    for (let batch = 0; batch < 4; batch++) {
      const readings = Array.from({ length: 25 }, (_, i) => ({ ts: first + (batch * 25 + i) * 60_000, energy_import_kwh: 500 + (batch * 25 + i) / 100 }));
      await publishAcked(client, 'dt/energy/site-01/meter-0001/readings', JSON.stringify({ device_id: 'meter-0001', seq: batch, readings }));
    }
    expect(twin.buffer.stats.spooled).toBe(4);
    expect(twin.buffer.stats.segmentsDelivered).toBe(0);
    expect(await lake.query('SELECT count(*) AS n FROM readings')).toEqual([{ n: 0 }]);

    await twin.close();

    const [row] = await lake.query('SELECT count(*) AS n, min(epoch_ms(ts)) AS first, max(energy_import_kwh) AS last_kwh FROM readings');
    expect(row).toEqual({ n: 100, first, last_kwh: 500.99 });
    expect((await readdir(join(stateDir, 'spool'))).filter((f) => f.endsWith('.log'))).toEqual([]);
  });
});

describe('starting the twin', () => {
  const listenOn = (port: number): Promise<net.Server> => new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
  const closeServer = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

  it('fails when its mqtts port is taken, and releases what it had started (the HTTP port)', async () => {
    const lake = await createTestLake();
    const stateDir = await tempStateDir();
    const taken = await listenOn(0);
    const free = await listenOn(0);
    const httpPort = (free.address() as net.AddressInfo).port;
    await closeServer(free);
    try {
      const mqttsPort = (taken.address() as net.AddressInfo).port;
      await expect(startTwin({ lake: lake.root, stateDir, port: mqttsPort, httpPort, logger: silent })).rejects.toThrow(/EADDRINUSE/);
      await closeServer(await listenOn(httpPort));
    } finally {
      await closeServer(taken);
      await lake.dispose();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
