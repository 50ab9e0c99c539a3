// SUBSCRIBE policy: a device may subscribe only inside its own command tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { readFile } from 'node:fs/promises';
import { subscribeRefusal } from '../../../../infra/local/broker/authorize-subscribe.ts';
import { startBroker, type RunningBroker } from '../../../../infra/local/broker/server.ts';
import { addDevices, type AddedDevice } from '../../../../infra/local/devices/provision.ts';
import type { Thing } from '../../../../infra/local/devices/registry.ts';
import { capturedLogger, recordingSink, tempDir } from './fixture.ts';

const meter: Thing = {
  device_id: 'meter-0001',
  site_id: 'site-01',
  state: 'active',
  certificate_fingerprint: 'ab'.repeat(32),
  created_at: '2026-11-01T00:00:00.000Z',
};

describe('subscribeRefusal', () => {
  it.each(['cmd/energy/site-01/meter-0001/#', 'cmd/energy/site-01/meter-0001/reboot', 'cmd/energy/site-01/meter-0001/+'])(
    'allows %s, inside its own command tree',
    (filter) => {
      expect(subscribeRefusal(meter, filter)).toBeNull();
    },
  );

  it.each([
    '#',
    '$SYS/#',
    'cmd/energy/site-01/meter-0002/#',
    'cmd/energy/site-01/+/#',
    'cmd/energy/site-02/meter-0001/#',
    'cmd/energy/site-01/meter-0001',
    'dt/energy/site-01/meter-0001/readings',
    'dt/energy/+/+/readings',
  ])('refuses %s', (filter) => {
    expect(subscribeRefusal(meter, filter)).toBe('only cmd/energy/site-01/meter-0001/# may be subscribed');
  });
});

describe('through the broker', () => {
  const { sink } = recordingSink();
  const { logger, records } = capturedLogger();
  let state: Awaited<ReturnType<typeof tempDir>>;
  let broker: RunningBroker;
  let meter1: AddedDevice;
  let client: mqtt.MqttClient;

  beforeAll(async () => {
    state = await tempDir();
    [meter1] = (await addDevices(state.dir, [{ deviceId: 'meter-0001', siteId: 'site-01' }])) as [AddedDevice];
    broker = await startBroker({ stateDir: state.dir, port: 0, sink, logger });
    const [ca, cert, key] = await Promise.all([readFile(meter1.files.ca), readFile(meter1.files.cert), readFile(meter1.files.key)]);
    client = await mqtt.connectAsync({ protocol: 'mqtts', host: '127.0.0.1', port: broker.port, clientId: 'meter-0001', ca, cert, key, protocolVersion: 4, reconnectPeriod: 0 });
  });

  afterAll(async () => {
    await client?.endAsync(true);
    await broker?.close();
    await state?.cleanup();
  });

  it('grants its own command tree', async () => {
    const granted = await client.subscribeAsync('cmd/energy/site-01/meter-0001/#', { qos: 1 });
    expect(granted.map(({ topic, qos }) => [topic, qos])).toEqual([['cmd/energy/site-01/meter-0001/#', 1]]);
  });

  it('answers SUBACK failure (0x80) for any other filter, logs why, and keeps the connection', async () => {
    records.length = 0;
    await expect(client.subscribeAsync(['#', 'dt/energy/+/+/readings'], { qos: 1 })).rejects.toMatchObject({ packet: { granted: [128, 128] } });
    expect(client.connected).toBe(true);
    expect(records.filter((r) => r.msg === 'subscription refused').map((r) => r.filter)).toEqual(['#', 'dt/energy/+/+/readings']);
  });
});
