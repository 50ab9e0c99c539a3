// The hostile corpus (test/fixtures/hostile/) published as MQTT messages to a running twin.
// Every case goes out through a device's own allowed topic, since the broker's policy refuses
// anything else before the rule sees it (those refusals are tested here too). The twin must
// never go down, and after a flush every reading is accounted for: accepted ones in `readings`,
// quarantined ones in `rejected_readings` with the case's reasons, whole-message failures in
// `errors/readings/`.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addDevices } from '../../../infra/local/devices/provision.ts';
import { credentialFiles, deviceDir } from '../../../infra/local/state.ts';
import { startTwin, type Twin } from '../../../infra/local/twin.ts';
import { LIMITS } from '../../../pipeline/schema/readings.ts';
import { loadHostileCorpus, readingCount, type CaseExpectation, type HostileCase } from '../../helpers/hostile-corpus.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { connectTwinDevice, publishAcked } from '../../helpers/twin-device.ts';
import { capturedLogger, publishWithMqttJs, type Outcome } from './broker/fixture.ts';

/** Devices the corpus's own-topic cases publish as: every valid thing its topics name (the longest id, all the punctuation). */
const LONGEST_ID = `m${'0'.repeat(63)}`;
const DEVICES = [
  { deviceId: 'meter-0001', siteId: 'site-01' },
  { deviceId: LONGEST_ID, siteId: 'site-01' },
  { deviceId: 'M:0001_a.b-c', siteId: 'Site_01.a:b-c' },
];
/** Publishes to topics that are not its own, and messages over the size limit; every one of them must be refused. */
const OUTSIDER = { deviceId: 'meter-0002', siteId: 'site-01' };
const REDIRECT_TOPIC = 'dt/energy/site-01/meter-0001/readings';
const OWN_TOPICS = new Set(DEVICES.flatMap(({ deviceId, siteId }) => [`dt/energy/${siteId}/${deviceId}/readings`, `dt/energy/${siteId}/${deviceId}/status`]));

/** A good reading published after the whole corpus: the twin still takes it. */
const GOOD_AFTER = { ts: '2025-11-21T08:00:00.123Z', energy_import_kwh: 4242.424 };

/** The outcome a case's payload must have on the topic it is actually published on. */
interface Planned { file: string; topic: string; payload: Uint8Array; expect: CaseExpectation }

/**
 * A case whose topic is not a device's own is published on meter-0001's topic instead. Its
 * expectation is then the payload's alone: the corpus keeps these payloads valid, so that all
 * the case's rejections are for its topic (checked here), and on a valid topic every reading is accepted.
 */
function redirected(c: HostileCase): Planned {
  const topicOnly = c.expect.kind === 'no_rule_match'
    || (c.expect.kind === 'readings' && Object.keys(c.expect.rejected).every((r) => r === 'invalid_site_id' || r === 'invalid_device_id'));
  const readings = readingCount(c.payload);
  if (!topicOnly || readings === undefined) throw new Error(`${c.file}: has a foreign topic and an expectation that is not about its topic alone`);
  return { file: c.file, topic: REDIRECT_TOPIC, payload: c.payload, expect: { kind: 'readings', accepted: readings, rejected: {} } };
}

interface Sums { accepted: number; rejected: Record<string, number>; failed: Record<string, number>; unrouted: number; dropped: number }

function expectedSums(planned: Planned[]): Sums {
  const sums: Sums = { accepted: 0, rejected: {}, failed: {}, unrouted: 0, dropped: 0 };
  for (const { expect: e } of planned) {
    if (e.kind === 'readings') {
      sums.accepted += e.accepted;
      for (const [reason, n] of Object.entries(e.rejected)) sums.rejected[reason] = (sums.rejected[reason] ?? 0) + (n ?? 0);
    } else if (e.kind === 'record_error') sums.failed[e.error] = (sums.failed[e.error] ?? 0) + 1;
    else if (e.kind === 'no_rule_match') sums.unrouted++;
    else sums.dropped++;
  }
  return sums;
}

const corpus = loadHostileCorpus();
const oversize = corpus.filter((c) => c.payload.byteLength > LIMITS.maxPayloadBytes);
const foreign = corpus.filter((c) => c.payload.byteLength <= LIMITS.maxPayloadBytes && !OWN_TOPICS.has(c.topic));
const planned: Planned[] = corpus.filter((c) => c.payload.byteLength <= LIMITS.maxPayloadBytes)
  .map((c) => (OWN_TOPICS.has(c.topic) ? { file: c.file, topic: c.topic, payload: c.payload, expect: c.expect } : redirected(c)));
const expected = expectedSums([...planned, { file: 'good reading after', topic: REDIRECT_TOPIC, payload: Buffer.from(''), expect: { kind: 'readings', accepted: 1, rejected: {} } }]);

describe('the twin fed the hostile corpus over MQTT', () => {
  let lake: TestLake;
  let stateDir: string;
  let twin: Twin;
  const { logger, records } = capturedLogger();
  const refusals = { foreign: new Map<string, Outcome>(), oversize: new Map<string, Outcome>(), otherDevice: 'acked' as Outcome };
  const failedPublishes: string[] = [];

  beforeAll(async () => {
    // Every case is stated for one receive time; the broker's clock is held there while the corpus
    // is published, so the rule's timestamp() (and with it ts_in_future) is what the case assumes.
    const receivedAt = corpus[0]!.receivedAt;
    expect(corpus.every((c) => c.receivedAt === receivedAt)).toBe(true);
    lake = await createTestLake();
    stateDir = await mkdtemp(join(tmpdir(), 'wattlake-twin-hostile-'));
    await addDevices(stateDir, [...DEVICES, OUTSIDER]);
    twin = await startTwin({ lake: lake.root, stateDir, port: 0, httpPort: 0, bufferHints: { sizeMb: 1, intervalSeconds: 600 }, logger });
    const clients = new Map<string, MqttClient>();
    for (const { deviceId, siteId } of DEVICES) {
      const client = await connectTwinDevice(stateDir, deviceId, twin.broker.port);
      clients.set(`dt/energy/${siteId}/${deviceId}/`, client);
    }
    const outsiderTls = { ...credentialFiles(deviceDir(stateDir, OUTSIDER.deviceId)) };
    const asOutsider = (topic: string, payload: Uint8Array): Promise<Outcome> =>
      publishWithMqttJs({ port: twin.broker.port, clientId: OUTSIDER.deviceId, tls: outsiderTls, topic, payload: Buffer.from(payload) });

    const clock = vi.spyOn(Date, 'now').mockReturnValue(receivedAt);
    try {
      for (const c of foreign) refusals.foreign.set(c.file, await asOutsider(c.topic, c.payload));
      for (const c of oversize) refusals.oversize.set(c.file, await asOutsider(`dt/energy/${OUTSIDER.siteId}/${OUTSIDER.deviceId}/readings`, c.payload));
      refusals.otherDevice = await asOutsider(REDIRECT_TOPIC, Buffer.from(JSON.stringify({ ts: '2025-11-21T09:00:00Z', energy_import_kwh: 1 })));
      for (const p of planned) {
        const client = [...clients].find(([prefix]) => p.topic.startsWith(prefix))![1];
        await publishAcked(client, p.topic, Buffer.from(p.payload)).catch((error: Error) => failedPublishes.push(`${p.file}: ${error.message}`));
      }
      await publishAcked(clients.get('dt/energy/site-01/meter-0001/')!, REDIRECT_TOPIC, JSON.stringify(GOOD_AFTER))
        .catch((error: Error) => failedPublishes.push(`good reading after: ${error.message}`));
    } finally {
      clock.mockRestore();
    }
    await twin.buffer.flush();
    for (const client of clients.values()) await client.endAsync();
  }, 60_000);
  afterAll(async () => {
    await twin?.close();
    await lake?.dispose();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('acknowledges every case published on a device\'s own topic, and the good reading after them, on the same connections', () => {
    expect(planned.length).toBe(corpus.length - oversize.length);
    expect(failedPublishes).toEqual([]);
    expect(twin.buffer.stats.messages).toBe(planned.length + 1);
  });

  it('refuses every publish to a topic that is not the device\'s own, without PUBACK, and logs why', () => {
    expect(foreign.length).toBeGreaterThanOrEqual(25);
    expect(Object.fromEntries(refusals.foreign)).toEqual(Object.fromEntries(foreign.map((c) => [c.file, 'refused at publish'])));
    expect(refusals.otherDevice).toBe('refused at publish');
    // The broker logs each refusal with its reason; a topic with a wildcard is not a valid PUBLISH topic, so mqtt.js does not even send it.
    const logged = records.filter((r) => r.msg === 'publish refused' && r.reason === `not one of ${OUTSIDER.deviceId}'s own topics`).map((r) => r.topic);
    expect(new Set(logged)).toEqual(new Set([...foreign.map((c) => c.topic).filter((t) => !/[+#]/.test(t)), REDIRECT_TOPIC]));
  });

  it('refuses payloads over 128 KiB at the broker, so they never reach the buffer', () => {
    expect(oversize.map((c) => c.expect)).toEqual(oversize.map(() => ({ kind: 'record_error', error: 'payload_too_large' })));
    expect(oversize.length).toBeGreaterThanOrEqual(2);
    expect(Object.fromEntries(refusals.oversize)).toEqual(Object.fromEntries(oversize.map((c) => [c.file, 'refused at publish'])));
    expect(twin.buffer.stats.oversize).toBe(0);
  });

  it('counts what the transform did exactly as the corpus expects', () => {
    const stats = twin.buffer.stats;
    expect({ accepted: stats.accepted, rejected: stats.rejected, failed: stats.failedRecords, unrouted: stats.unrouted, dropped: stats.droppedRecords }).toEqual(expected);
    expect(stats.segmentsFailed).toBe(0);
  });

  it('stores the accepted readings in `readings`, once per (device, ts) of each delivery, nothing from refused publishes', async () => {
    const [row] = await lake.query('SELECT count(*) AS n, count(DISTINCT epoch_ms(received_at)) AS receive_times FROM readings');
    expect(row).toEqual({ n: expected.accepted - twin.buffer.stats.duplicatesRemoved, receive_times: 1 });
    const places = await lake.query('SELECT DISTINCT site_id, device_id FROM readings UNION SELECT DISTINCT site_id, device_id FROM rejected_readings ORDER BY ALL');
    expect(places).toEqual([
      { site_id: 'Site_01.a:b-c', device_id: 'M:0001_a.b-c' }, { site_id: 'site-01', device_id: LONGEST_ID }, { site_id: 'site-01', device_id: 'meter-0001' },
    ]);
    const good = await lake.query('SELECT energy_import_kwh FROM readings WHERE epoch_ms(ts) = $1', [Date.parse(GOOD_AFTER.ts)]);
    expect(good).toEqual([{ energy_import_kwh: GOOD_AFTER.energy_import_kwh }]);
  });

  it('quarantines every rejected reading in `rejected_readings` with the reason the corpus gives', async () => {
    const rows = await lake.query('SELECT reason, count(*) AS n FROM rejected_readings GROUP BY reason');
    expect(Object.fromEntries(rows.map((r) => [r.reason, r.n]))).toEqual(expected.rejected);
  });

  it('writes every message that failed as a whole to errors/readings/, with its error code', async () => {
    const dir = join(lake.root, 'errors', 'readings');
    const failed: Record<string, number> = {};
    for (const name of await readdir(dir)) {
      for (const line of gunzipSync(await readFile(join(dir, name))).toString('utf8').split('\n').filter(Boolean)) {
        const { errorCode } = JSON.parse(line) as { errorCode: string };
        failed[errorCode] = (failed[errorCode] ?? 0) + 1;
      }
    }
    expect(failed).toEqual(expected.failed);
  });

  it('is still up afterwards: the broker has its devices connected, /healthz answers', async () => {
    expect(twin.broker.port).toBeGreaterThan(0);
    const client = await connectTwinDevice(stateDir, 'meter-0001', twin.broker.port);
    try {
      expect(twin.broker.connectedClients()).toBeGreaterThanOrEqual(1);
    } finally {
      await client.endAsync();
    }
    expect(await (await fetch(`http://127.0.0.1:${twin.http.port}/healthz`)).text()).toBe('ok\n');
  });
});
