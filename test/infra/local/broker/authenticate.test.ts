// CONNECT policy through a real broker over TLS: only a registered, active thing, using the
// certificate it was registered with and its own name as client id, gets in.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startBroker, type RunningBroker } from '../../../../infra/local/broker/server.ts';
import { addDevices, type AddedDevice } from '../../../../infra/local/devices/provision.ts';
import { revokeThing } from '../../../../infra/local/devices/registry.ts';
import { statePaths } from '../../../../infra/local/state.ts';
import { CLIENTS, capturedLogger, connectOutcome, publishWithMqttJs, reading, recordingSink, requireMosquittoPub, tempDir, unregisteredCredentials, type Credentials } from './fixture.ts';

const TOPIC = 'dt/energy/site-01/meter-0001/readings';
const { sink, received } = recordingSink();
const { logger, records } = capturedLogger();
let state: Awaited<ReturnType<typeof tempDir>>;
let broker: RunningBroker;
let meter1: AddedDevice;
let meter2: AddedDevice;
let meter3: AddedDevice;
let unknown: Credentials;
let secondCertOfMeter1: Credentials;

beforeAll(async () => {
  await requireMosquittoPub();
  state = await tempDir();
  [meter1, meter2, meter3] = await addDevices(state.dir, [
    { deviceId: 'meter-0001', siteId: 'site-01' },
    { deviceId: 'meter-0002', siteId: 'site-01' },
    { deviceId: 'meter-0003', siteId: 'site-01' },
  ]) as [AddedDevice, AddedDevice, AddedDevice];
  await revokeThing(statePaths(state.dir).registry, 'meter-0003');
  unknown = await unregisteredCredentials(state.dir, 'meter-9999', await subdir('unknown'));
  secondCertOfMeter1 = await unregisteredCredentials(state.dir, 'meter-0001', await subdir('second'));
  broker = await startBroker({ stateDir: state.dir, port: 0, sink, logger });
});

afterAll(async () => {
  await broker?.close();
  await state?.cleanup();
});

beforeEach(() => {
  received.length = 0;
  records.length = 0;
});

async function subdir(name: string): Promise<string> {
  const dir = path.join(state.dir, 'test-credentials', name);
  await mkdir(dir, { recursive: true });
  return dir;
}

const refusals = (): unknown[] => records.filter((r) => r.msg === 'connection refused').map((r) => r.reason);

describe.each(CLIENTS)('with %s', (_name, publish) => {
  it('lets a registered thing in when its client id is its certificate CN', async () => {
    const outcome = await publish({ port: broker.port, clientId: 'meter-0001', tls: meter1.files, topic: TOPIC, payload: reading() });
    expect(outcome).toBe('acked');
  });

  it('refuses a client id that differs from the certificate CN, even a registered one', async () => {
    const outcome = await publish({ port: broker.port, clientId: 'meter-0002', tls: meter1.files, topic: 'dt/energy/site-01/meter-0002/readings', payload: reading() });
    expect(outcome).toBe('refused at connect');
    expect(refusals()).toEqual([expect.stringContaining("client id does not match the certificate's thing (CN=meter-0001)")]);
    expect(received).toEqual([]);
  });

  it('refuses a revoked thing', async () => {
    const outcome = await publish({ port: broker.port, clientId: 'meter-0003', tls: meter3.files, topic: 'dt/energy/site-01/meter-0003/readings', payload: reading() });
    expect(outcome).toBe('refused at connect');
    expect(refusals()).toEqual(['thing is revoked']);
    expect(received).toEqual([]);
  });

  it('refuses an unknown thing whose certificate our CA signed but the registry never recorded', async () => {
    const outcome = await publish({ port: broker.port, clientId: 'meter-9999', tls: unknown, topic: 'dt/energy/site-01/meter-9999/readings', payload: reading() });
    expect(outcome).toBe('refused at connect');
    expect(refusals()).toEqual(['thing is not registered']);
    expect(received).toEqual([]);
  });

  it('refuses a registered thing presenting a certificate other than its registered one', async () => {
    const outcome = await publish({ port: broker.port, clientId: 'meter-0001', tls: secondCertOfMeter1, topic: TOPIC, payload: reading() });
    expect(outcome).toBe('refused at connect');
    expect(refusals()).toEqual(['certificate is not the one registered for this thing']);
    expect(received).toEqual([]);
  });
});

describe('registry changes while the broker runs', () => {
  it('applies a revocation from the next CONNECT on', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const [meter] = await addDevices(dir, [{ deviceId: 'meter-0042', siteId: 'site-07' }]);
      const own = await startBroker({ stateDir: dir, port: 0, sink, logger });
      const attempt = { port: own.port, clientId: 'meter-0042', tls: meter!.files, topic: 'dt/energy/site-07/meter-0042/readings', payload: reading() };
      try {
        expect(await publishWithMqttJs(attempt)).toBe('acked');
        await revokeThing(statePaths(dir).registry, 'meter-0042');
        expect(await publishWithMqttJs(attempt)).toBe('refused at connect');
      } finally {
        await own.close();
      }
    } finally {
      await cleanup();
    }
  });
});

describe('plain-TCP listener (insecureDev)', () => {
  let dev: RunningBroker;
  beforeAll(async () => {
    dev = await startBroker({ stateDir: state.dir, port: 0, insecureDevPort: 0, sink, logger });
  });
  afterAll(() => dev?.close());

  const connectPlain = (clientId: string): Promise<string> => connectOutcome({ port: dev.insecurePort, clientId });

  it('still admits only registered, active things by client id', async () => {
    expect(await connectPlain('meter-0002')).toBe('connected');
    expect(await connectPlain('meter-9999')).toBe('Connection refused: Not authorized');
    expect(await connectPlain('meter-0003')).toBe('Connection refused: Not authorized');
  });

  it('does not relax the TLS listener: no client certificate is still refused there', async () => {
    const outcome = await connectOutcome({ protocol: 'mqtts', port: dev.port, clientId: 'meter-0002', ca: await readFile(meter2.files.ca) });
    expect(outcome).toMatch(/certificate required/);
  });
});
