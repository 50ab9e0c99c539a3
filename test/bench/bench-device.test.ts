// The benchmark's lean device client against the twin's real broker over mutual TLS: it must
// count a publish as acknowledged only on its PUBACK, and fail (never hang) every publish the
// broker does not acknowledge, or the twin suite's numbers would be wrong.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { BenchDevice } from '../../bench/twin/bench-device.ts';
import { startBroker, type RunningBroker } from '../../infra/local/broker/server.ts';
import { addDevices, type AddedDevice } from '../../infra/local/devices/provision.ts';
import { reading, recordingSink, tempDir, unregisteredCredentials } from '../infra/local/broker/fixture.ts';

const TOPIC = 'dt/energy/site-01/meter-0001/readings';
let held: (() => void)[] = [];
let holdAcks = false;
const { sink, received } = recordingSink(() => (holdAcks ? new Promise<void>((resolve) => held.push(resolve)) : Promise.resolve()));
let state: Awaited<ReturnType<typeof tempDir>>;
let broker: RunningBroker;
let meter: AddedDevice;

beforeAll(async () => {
  state = await tempDir();
  [meter] = (await addDevices(state.dir, [{ deviceId: 'meter-0001', siteId: 'site-01' }])) as [AddedDevice];
  broker = await startBroker({ stateDir: state.dir, port: 0, sink });
});

afterAll(async () => {
  await broker?.close();
  await state?.cleanup();
});

beforeEach(() => {
  received.length = 0;
  holdAcks = false;
  held = [];
});

async function connectMeter(clientId = 'meter-0001'): Promise<BenchDevice> {
  const [ca, cert, key] = await Promise.all([meter.files.ca, meter.files.cert, meter.files.key].map((file) => readFile(file)));
  return BenchDevice.connect({ host: '127.0.0.1', port: broker.port, clientId, ca: ca!, cert: cert!, key: key! });
}

const publish = (device: BenchDevice, topic: string, payload: string): Promise<Error | undefined> =>
  new Promise((resolve) => device.publish(topic, Buffer.from(payload), resolve));

describe('BenchDevice', () => {
  it('publishes at QoS 1 with its certificate and reports each PUBACK', async () => {
    const device = await connectMeter();
    const outcomes = await Promise.all([publish(device, TOPIC, reading('2026-11-21T10:00:00Z')), publish(device, TOPIC, reading('2026-11-21T10:01:00Z'))]);
    expect(outcomes).toEqual([undefined, undefined]);
    expect(received.map((p) => [p.clientId, p.topic, p.payload.toString()])).toEqual([
      ['meter-0001', TOPIC, reading('2026-11-21T10:00:00Z')],
      ['meter-0001', TOPIC, reading('2026-11-21T10:01:00Z')],
    ]);
    expect(device.inFlight).toBe(0);
    await device.close();
  });

  it('counts a publish as in flight until the broker has made it durable and acknowledged it', async () => {
    const device = await connectMeter();
    holdAcks = true;
    let acked = false;
    device.publish(TOPIC, Buffer.from(reading()), () => { acked = true; });
    await expect.poll(() => held.length).toBe(1);
    expect(device.inFlight).toBe(1);
    expect(acked).toBe(false);
    held[0]!();
    await expect.poll(() => acked).toBe(true);
    expect(device.inFlight).toBe(0);
    await device.close();
  });

  it('fails a publish the device policy refuses (another device\'s topic), instead of waiting for a PUBACK that never comes', async () => {
    const device = await connectMeter();
    const error = await publish(device, 'dt/energy/site-01/meter-0002/readings', reading());
    expect(error?.message).toMatch(/^meter-0001: connection closed/);
    expect(received).toEqual([]);
    expect(device.inFlight).toBe(0);
  });

  it('fails publishes still unacknowledged when the connection closes', async () => {
    const device = await connectMeter();
    holdAcks = true;
    const outcome = publish(device, TOPIC, reading());
    await expect.poll(() => held.length).toBe(1);
    await device.close();
    expect((await outcome)?.message).toMatch(/connection closed/);
  });

  it('rejects the connection of a thing the registry does not know, with its name in the error', async () => {
    const other = await tempDir();
    try {
      const files = await unregisteredCredentials(state.dir, 'meter-9999', other.dir);
      const [ca, cert, key] = await Promise.all([files.ca, files.cert, files.key].map((file) => readFile(file)));
      await expect(BenchDevice.connect({ host: '127.0.0.1', port: broker.port, clientId: 'meter-9999', ca: ca!, cert: cert!, key: key! }))
        .rejects.toThrow(/^meter-9999: /);
    } finally {
      await other.cleanup();
    }
  });
});
