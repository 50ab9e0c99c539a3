import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDurableBuffer, type DurableBuffer, type DurableBufferOptions } from '../../../../infra/local/buffer/durable-buffer.ts';
import { silentLogger } from '../../../../infra/local/buffer/logger.ts';
import { inProcessDelivery, type SegmentDelivery } from '../../../../infra/local/buffer/segment-delivery.ts';
import { scanSegment } from '../../../../infra/local/buffer/spool-format.ts';
import { Spool } from '../../../../infra/local/buffer/spool.ts';
import { readingsRule } from '../../../../pipeline/rule/readings-rule.ts';
import type { ObjectStore } from '../../../../pipeline/storage/object-store.ts';
import { createTestLake, type TestLake } from '../../../helpers/lake.ts';
import { fleetPublishes, waitFor } from '../../../helpers/publishes.ts';

// One day of 5-minute readings from 6 meters on 2 sites, in batches of up to 12: 1,728 readings.
const fleet = fleetPublishes({
  devices: 6, sites: 2, start: '2026-11-20T00:00:00Z', end: '2026-11-21T00:00:00Z',
  cadenceMs: 300_000, batchSize: 12, seed: 7, tsFormat: 'mixed',
});
const LARGE_HINTS = { sizeMb: 64, intervalSeconds: 600 };

describe('durable buffer', () => {
  let lake: TestLake;
  let stateDir: string;
  const opened: DurableBuffer[] = [];
  beforeEach(async () => {
    lake = await createTestLake();
    stateDir = await mkdtemp(join(tmpdir(), 'wattlake-buffer-'));
  });
  afterEach(async () => {
    for (const buffer of opened.splice(0)) await buffer.close().catch(() => undefined);
    await lake.dispose();
    await rm(stateDir, { recursive: true, force: true });
  });

  const open = async (options: Partial<DurableBufferOptions> = {}): Promise<DurableBuffer> => {
    const buffer = await openDurableBuffer({ stateDir, store: lake.store, duckdb: lake.duckdb, bufferHints: LARGE_HINTS, ...options });
    opened.push(buffer);
    return buffer;
  };
  const counts = async (): Promise<{ stored: number; unique: number }> => {
    const [row] = await lake.query('SELECT (SELECT count(*) FROM readings)::INT AS stored, (SELECT count(*) FROM readings_unique)::INT AS "unique"');
    return row as { stored: number; unique: number };
  };
  const spoolFiles = async (): Promise<string[]> => (await readdir(join(stateDir, 'spool'))).filter((f) => f.endsWith('.log'));

  it('delivers every acknowledged publish into curated Parquet exactly once', async () => {
    const buffer = await open();
    await Promise.all(fleet.publishes.map((p) => buffer.sink(p)));
    await buffer.flush();
    expect(await counts()).toEqual({ stored: fleet.readings, unique: fleet.readings });
    const messages = fleet.publishes.length;
    expect(buffer.stats).toMatchObject({ messages, spooled: messages, records: messages, accepted: fleet.readings, segmentsPending: 0 });
    expect(buffer.stats.curatedFiles).toBeGreaterThanOrEqual(1);
  });

  it('resolves the sink only when the publish is in the spool on disk', async () => {
    const buffer = await open();
    await buffer.sink(fleet.publishes[0]!);
    expect(buffer.stats.spooled).toBe(1);
    expect(await spoolFiles()).toEqual(['000001.log']);
    expect(await counts()).toEqual({ stored: 0, unique: 0 }); // buffered, not yet delivered
  });

  it('spools a publish as the broker accepted it, and applies the IoT rule only at delivery', async () => {
    const buffer = await open();
    const [first] = fleet.publishes as [typeof fleet.publishes[number]];
    await buffer.sink(first);
    const { records } = scanSegment(await readFile(join(stateDir, 'spool', '000001.log')));
    expect(records).toEqual([{ kind: 'publish', receivedAt: first.receivedAt, topic: first.topic, clientId: first.clientId, data: first.payload }]);
    await buffer.flush();
    const [, , siteId, deviceId] = first.topic.split('/');
    const rows = await lake.query('SELECT DISTINCT site_id, device_id, received_at FROM readings');
    expect(rows).toEqual([{ site_id: siteId, device_id: deviceId, received_at: new Date(first.receivedAt).toISOString() }]);
  });

  it('delivers a spool written when the rule ran before spooling (rule-output records), as after an upgrade', async () => {
    const old = await Spool.open({ dir: join(stateDir, 'spool') });
    for (const p of fleet.publishes) await old.append({ kind: 'rule-output', receivedAt: p.receivedAt, data: readingsRule.evaluate(p)! });
    await old.close();

    const buffer = await open();
    await buffer.flush();
    expect(await counts()).toEqual({ stored: fleet.readings, unique: fleet.readings });
  });

  it('acknowledges a publish the rule does not select without spooling it', async () => {
    const buffer = await open();
    await buffer.sink({ clientId: 'meter-0001', topic: 'dt/energy/site-01/meter-0001/status', payload: Buffer.from('{"state":"online"}'), receivedAt: Date.now() });
    expect(buffer.stats).toMatchObject({ messages: 1, unrouted: 1, spooled: 0 });
  });

  it('sends a payload over 128 KiB to the error output, not to the transform', async () => {
    const buffer = await open();
    const huge = Buffer.from(JSON.stringify({ device_id: 'meter-0001', readings: [], pad: 'x'.repeat(140_000) }));
    await buffer.sink({ clientId: 'meter-0001', topic: 'dt/energy/site-01/meter-0001/readings', payload: huge, receivedAt: Date.now() });
    await buffer.flush();
    expect(buffer.stats).toMatchObject({ oversize: 1, records: 0, failedRecords: { payload_too_large: 1 }, errorObjects: 1 });
    expect(await lake.store.list('errors/readings/')).toHaveLength(1);
  });

  it('replays what an earlier run spooled but never delivered', async () => {
    const crashed = await open();
    await Promise.all(fleet.publishes.map((p) => crashed.sink(p)));
    opened.pop(); // dropped without flush or close, as if the process had died

    const restarted = await open();
    await restarted.flush();
    expect(await counts()).toEqual({ stored: fleet.readings, unique: fleet.readings });
    expect(restarted.stats.segmentsPending).toBe(0);
    expect(await spoolFiles()).not.toContain('000001.log');
  });

  it('replays a segment delivered just before a crash: stored twice, counted once', async () => {
    const first = await open();
    await Promise.all(fleet.publishes.map((p) => first.sink(p)));
    // The spool as it was before delivery; putting it back after delivery is the state a crash
    // between writing the lake objects and releasing the segment leaves behind.
    const snapshot = await mkdtemp(join(tmpdir(), 'wattlake-spool-snapshot-'));
    await cp(join(stateDir, 'spool'), snapshot, { recursive: true });
    await first.close();
    opened.pop();
    await cp(snapshot, join(stateDir, 'spool'), { recursive: true });
    await rm(snapshot, { recursive: true, force: true });

    const restarted = await open();
    await restarted.flush();
    expect(await counts()).toEqual({ stored: 2 * fleet.readings, unique: fleet.readings });
  });

  it('retries a failed delivery and then delivers', async () => {
    let failures = 1;
    const flaky = failingStore(lake.store, (key) => key.startsWith('raw/') && failures-- > 0);
    const buffer = await open({ store: flaky, retry: { attempts: 3, baseDelayMs: 5 } });
    await Promise.all(fleet.publishes.map((p) => buffer.sink(p)));
    await buffer.flush();
    expect(buffer.stats).toMatchObject({ deliveryRetries: 1, segmentsDelivered: 1, segmentsFailed: 0 });
    expect(await counts()).toEqual({ stored: fleet.readings, unique: fleet.readings });
  });

  it('moves a segment whose delivery keeps failing to the error output after the retries', async () => {
    const broken = failingStore(lake.store, (key) => key.startsWith('raw/'));
    const buffer = await open({ store: broken, retry: { attempts: 3, baseDelayMs: 5 } });
    const sample = fleet.publishes.slice(0, 5);
    await Promise.all(sample.map((p) => buffer.sink(p)));
    await buffer.flush();
    expect(buffer.stats).toMatchObject({ deliveryRetries: 2, segmentsDelivered: 0, segmentsFailed: 1, segmentsPending: 0 });
    const [errorKey] = await lake.store.list('errors/readings/');
    const lines = gunzipSync(await lake.store.get(errorKey!)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ attemptsMade: 3, errorCode: 'Lambda.FunctionError', errorMessage: expect.stringContaining('raw/') });
    // rawData is the rule's output: the device's payload plus the rule's fields.
    const rawData = JSON.parse(Buffer.from(lines[0]!.rawData as string, 'base64').toString('utf8')) as Record<string, unknown>;
    const [, , siteId, deviceId] = sample[0]!.topic.split('/');
    expect(rawData).toMatchObject({ device_id: deviceId, site_id: siteId, topic_device_id: deviceId, received_at: sample[0]!.receivedAt });
    expect(await counts()).toEqual({ stored: 0, unique: 0 });
  });

  it('keeps a segment in the spool when not even the error output can be written', async () => {
    let lakeDown = true;
    const down = failingStore(lake.store, () => lakeDown);
    const buffer = await open({ store: down, retry: { attempts: 2, baseDelayMs: 1 } });
    await Promise.all(fleet.publishes.map((p) => buffer.sink(p)));
    await expect(buffer.flush()).rejects.toThrow(/lake is down/);
    expect(buffer.stats.segmentsPending).toBe(1);
    await buffer.close().catch(() => undefined);
    opened.pop();

    lakeDown = false;
    const restarted = await open();
    await restarted.flush();
    expect(await counts()).toEqual({ stored: fleet.readings, unique: fleet.readings });
  });

  it('delivers without a flush once the buffered bytes reach the size hint', async () => {
    const buffer = await open({ bufferHints: { sizeMb: 0.02, intervalSeconds: 600 } }); // about 20 KB
    for (const p of fleet.publishes) await buffer.sink(p);
    await waitFor(() => buffer.stats.segmentsDelivered >= 2);
    expect(buffer.stats.accepted).toBeGreaterThan(0);
    expect(buffer.stats.accepted).toBeLessThan(fleet.readings); // the tail is still below the hint
  });

  it('delivers without a flush once the oldest buffered record reaches the interval hint', async () => {
    const buffer = await open({ bufferHints: { sizeMb: 64, intervalSeconds: 0.3 } });
    const sent = Date.now();
    await buffer.sink(fleet.publishes[0]!);
    await waitFor(() => buffer.stats.segmentsDelivered === 1);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(290);
    const { readings } = JSON.parse(fleet.publishes[0]!.payload.toString('utf8')) as { readings: unknown[] };
    expect(buffer.stats.accepted).toBe(readings.length);
  });

  it('holds acknowledgements while the converter falls behind, and releases them as it catches up', async () => {
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    const slow: ObjectStore = { ...bind(lake.store), put: async (key, body) => { await gate; await lake.store.put(key, body); } };
    const buffer = await open({ store: slow, bufferHints: { sizeMb: 0.01, intervalSeconds: 600 }, maxUndeliveredMb: 0.02 });
    let acked = 0;
    const all = fleet.publishes.map((p) => buffer.sink(p).then(() => { acked++; }));
    await waitFor(() => buffer.stats.backpressureWaits > 0);
    await new Promise((r) => setTimeout(r, 100));
    const ackedWhileBlocked = acked;
    expect(ackedWhileBlocked).toBeLessThan(fleet.publishes.length);
    expect(buffer.stats.bytesBuffered).toBeLessThan(0.02 * 1024 * 1024 + 5_000); // the bound, overshot by at most one publish

    openGate();
    await Promise.all(all);
    await buffer.flush();
    expect(acked).toBe(fleet.publishes.length);
    expect(await counts()).toEqual({ stored: fleet.readings, unique: fleet.readings });
  });

  it('tells its delivery when a segment is sealed before the one before it was delivered, and when it has caught up', async () => {
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    const inner = inProcessDelivery({ store: lake.store, duckdb: lake.duckdb, logger: silentLogger });
    const paces: boolean[] = [];
    const delivery: SegmentDelivery = {
      concurrency: 2,
      deliver: async (segment) => { await gate; return inner.deliver(segment); },
      setBehind: (behind) => { paces.push(behind); },
      close: () => inner.close(),
    };
    const buffer = await open({ delivery, bufferHints: { sizeMb: 0.01, intervalSeconds: 600 } });
    let next = 0;
    const sinkUntilSealed = async (segments: number): Promise<void> => {
      while (buffer.stats.segmentsPending < segments) await buffer.sink(fleet.publishes[next++]!);
    };
    await sinkUntilSealed(1); // under way, held at the gate
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(paces).toEqual([]);
    await sinkUntilSealed(2); // sealed while the first is still under way
    await waitFor(() => paces.length === 1);
    expect(paces).toEqual([true]);

    openGate();
    await Promise.all(fleet.publishes.slice(next).map((p) => buffer.sink(p)));
    await buffer.flush();
    expect(paces.at(-1)).toBe(false);
    expect(await counts()).toEqual({ stored: fleet.readings, unique: fleet.readings });
  });
});

function bind(store: ObjectStore): ObjectStore {
  return { put: store.put.bind(store), get: store.get.bind(store), list: store.list.bind(store), delete: store.delete.bind(store) };
}

/** A store whose writes fail while `fails(key)` says so, like an S3 outage. */
function failingStore(store: ObjectStore, fails: (key: string) => boolean): ObjectStore {
  return {
    ...bind(store),
    async put(key, body) {
      if (fails(key)) throw new Error(`lake is down: PutObject ${key} failed`);
      await store.put(key, body);
    },
  };
}
