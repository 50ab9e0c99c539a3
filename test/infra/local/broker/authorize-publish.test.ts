// PUBLISH policy and the PUBACK contract, through a real broker over TLS: a thing publishes only
// to its own topics at its own site, and a publish is PUBACKed only once the sink has it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { readFile } from 'node:fs/promises';
import { publishRefusal } from '../../../../infra/local/broker/authorize-publish.ts';
import { startBroker, type RunningBroker } from '../../../../infra/local/broker/server.ts';
import type { AcceptedPublish } from '../../../../infra/local/broker/types.ts';
import { addDevices, type AddedDevice } from '../../../../infra/local/devices/provision.ts';
import type { Thing } from '../../../../infra/local/devices/registry.ts';
import { LIMITS } from '../../../../pipeline/schema/readings.ts';
import { CLIENTS, capturedLogger, reading, recordingSink, requireMosquittoPub, tempDir, until } from './fixture.ts';

const meter: Thing = {
  device_id: 'meter-0001',
  site_id: 'site-01',
  state: 'active',
  certificate_fingerprint: 'ab'.repeat(32),
  created_at: '2026-11-01T00:00:00.000Z',
};

describe('publishRefusal', () => {
  it.each([
    'dt/energy/site-01/meter-0001/readings',
    'dt/energy/site-01/meter-0001/status',
    '$aws/rules/wattlake_readings/dt/energy/site-01/meter-0001/readings',
  ])('allows the thing its own topic %s', (topic) => {
    expect(publishRefusal(meter, topic, 1, 200)).toBeNull();
  });

  it("refuses another device's topic at the same site", () => {
    expect(publishRefusal(meter, 'dt/energy/site-01/meter-0002/readings', 1, 200)).toBe("not one of meter-0001's own topics");
  });

  it('refuses its own device id under another site, naming both sites', () => {
    expect(publishRefusal(meter, 'dt/energy/site-02/meter-0001/readings', 1, 200)).toBe(
      'topic names site site-02 but meter-0001 is registered at site site-01',
    );
  });

  it.each([
    'dt/energy/site-01/meter-0001/readings/extra',
    'dt/energy/site-01/meter-0001/commands',
    'cmd/energy/site-01/meter-0001/reboot',
    '$aws/rules/other_rule/dt/energy/site-01/meter-0001/readings',
    '$aws/rules/wattlake_readings/dt/energy/site-01/meter-0001/status',
    '$aws/things/meter-0001/shadow/update',
  ])('refuses %s, which is not one of its topics', (topic) => {
    expect(publishRefusal(meter, topic, 1, 200)).toBe("not one of meter-0001's own topics");
  });

  it('refuses QoS 2, which IoT Core does not support', () => {
    expect(publishRefusal(meter, 'dt/energy/site-01/meter-0001/readings', 2, 200)).toMatch(/QoS 2/);
  });

  it('allows exactly 128 KiB of payload and refuses one byte more', () => {
    expect(publishRefusal(meter, 'dt/energy/site-01/meter-0001/readings', 1, LIMITS.maxPayloadBytes)).toBeNull();
    expect(publishRefusal(meter, 'dt/energy/site-01/meter-0001/readings', 1, LIMITS.maxPayloadBytes + 1)).toMatch(/exceeds the 131072-byte limit/);
  });
});

describe('through the broker', () => {
  let behaviour: (publish: AcceptedPublish) => Promise<void> = async () => undefined;
  const { sink, received } = recordingSink((publish) => behaviour(publish));
  const { logger, records } = capturedLogger();
  let state: Awaited<ReturnType<typeof tempDir>>;
  let broker: RunningBroker;
  let meter1: AddedDevice;

  beforeAll(async () => {
    await requireMosquittoPub();
    state = await tempDir();
    [meter1] = (await addDevices(state.dir, [
      { deviceId: 'meter-0001', siteId: 'site-01' },
      { deviceId: 'meter-0002', siteId: 'site-01' },
      { deviceId: 'meter-0101', siteId: 'site-02' },
    ])) as [AddedDevice];
    broker = await startBroker({ stateDir: state.dir, port: 0, sink, logger });
  });

  afterAll(async () => {
    await broker?.close();
    await state?.cleanup();
  });

  beforeEach(() => {
    behaviour = async () => undefined;
    received.length = 0;
    records.length = 0;
  });

  const refusedPublishes = (): unknown[] => records.filter((r) => r.msg === 'publish refused').map((r) => r.reason);

  describe.each(CLIENTS)('with %s', (_name, publish) => {
    const attempt = (topic: string, payload: string | Buffer = reading()) =>
      publish({ port: broker.port, clientId: 'meter-0001', tls: meter1.files, topic, payload });

    it('hands a QoS 1 reading on its own topic to the sink exactly as sent, then PUBACKs it', async () => {
      const payload = reading();
      const before = Date.now();
      expect(await attempt('dt/energy/site-01/meter-0001/readings', payload)).toBe('acked');
      expect(received).toHaveLength(1);
      const [accepted] = received;
      expect(accepted).toEqual({ clientId: 'meter-0001', topic: 'dt/energy/site-01/meter-0001/readings', payload: Buffer.from(payload), receivedAt: expect.any(Number) });
      expect(accepted!.receivedAt).toBeGreaterThanOrEqual(before);
      expect(accepted!.receivedAt).toBeLessThanOrEqual(Date.now());
    });

    it('accepts its status topic', async () => {
      expect(await attempt('dt/energy/site-01/meter-0001/status', '{"status":"online","firmware":"1.4.2","queue_depth":0}')).toBe('acked');
      expect(received.map((p) => p.topic)).toEqual(['dt/energy/site-01/meter-0001/status']);
    });

    it('accepts the Basic Ingest form of its data topic, passing the topic on unchanged for the rule', async () => {
      expect(await attempt('$aws/rules/wattlake_readings/dt/energy/site-01/meter-0001/readings')).toBe('acked');
      expect(received.map((p) => p.topic)).toEqual(['$aws/rules/wattlake_readings/dt/energy/site-01/meter-0001/readings']);
    });

    it("refuses device A publishing to device B's topic, and the sink never sees it", async () => {
      expect(await attempt('dt/energy/site-01/meter-0002/readings')).toBe('refused at publish');
      expect(received).toEqual([]);
      expect(refusedPublishes()).toEqual(["not one of meter-0001's own topics"]);
    });

    it('refuses publishing under another site, and the sink never sees it', async () => {
      expect(await attempt('dt/energy/site-02/meter-0001/readings')).toBe('refused at publish');
      expect(received).toEqual([]);
      expect(refusedPublishes()).toEqual(['topic names site site-02 but meter-0001 is registered at site site-01']);
    });

    it('accepts a payload of exactly 128 KiB', async () => {
      expect(await attempt('dt/energy/site-01/meter-0001/readings', Buffer.alloc(LIMITS.maxPayloadBytes, 0x20))).toBe('acked');
      expect(received.map((p) => p.payload.byteLength)).toEqual([LIMITS.maxPayloadBytes]);
    });

    it('refuses a payload over 128 KiB, and the sink never sees it', async () => {
      expect(await attempt('dt/energy/site-01/meter-0001/readings', Buffer.alloc(LIMITS.maxPayloadBytes + 1, 0x20))).toBe('refused at publish');
      expect(received).toEqual([]);
    });
  });

  describe('PUBACK waits for the sink', () => {
    let client: mqtt.MqttClient;
    beforeEach(async () => {
      const [ca, cert, key] = await Promise.all([readFile(meter1.files.ca), readFile(meter1.files.cert), readFile(meter1.files.key)]);
      client = await mqtt.connectAsync({ protocol: 'mqtts', host: '127.0.0.1', port: broker.port, clientId: 'meter-0001', ca, cert, key, protocolVersion: 4, reconnectPeriod: 0 });
    });
    afterEach(() => client.endAsync(true));

    it('is not sent while the sink has not resolved, and is sent once it has', async () => {
      let release!: () => void;
      behaviour = () => new Promise<void>((resolve) => (release = resolve));
      let acked = false;
      const publishing = client.publishAsync('dt/energy/site-01/meter-0001/readings', reading(), { qos: 1 }).then(() => (acked = true));
      await until(() => received.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(acked).toBe(false);
      release();
      await publishing;
      expect(acked).toBe(true);
    });

    it('is delayed by at least the 300 ms a slow sink takes', async () => {
      behaviour = () => new Promise((resolve) => setTimeout(resolve, 300));
      const started = performance.now();
      await client.publishAsync('dt/energy/site-01/meter-0001/readings', reading(), { qos: 1 });
      expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    });

    it('never comes when the sink rejects: the connection is dropped instead', async () => {
      behaviour = () => Promise.reject(new Error('spool disk full'));
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      const outcome = client.publishAsync('dt/energy/site-01/meter-0001/readings', reading(), { qos: 1 }).then(
        () => 'acked',
        () => 'no PUBACK',
      );
      await closed;
      client.end(true); // mqtt.js settles in-flight publishes only once told to give up
      expect(await outcome).toBe('no PUBACK');
      expect(records.find((r) => r.msg === 'publish not stored; no PUBACK')).toMatchObject({ clientId: 'meter-0001', err: { message: 'spool disk full' } });
    });

    it("gives the sink a client's publishes in the order they were sent", async () => {
      const topic = 'dt/energy/site-01/meter-0001/readings';
      await Promise.all(Array.from({ length: 50 }, (_, seq) => client.publishAsync(topic, JSON.stringify({ seq }), { qos: 1 })));
      expect(received.map((p) => JSON.parse(p.payload.toString()).seq)).toEqual(Array.from({ length: 50 }, (_, seq) => seq));
    });
  });
});
