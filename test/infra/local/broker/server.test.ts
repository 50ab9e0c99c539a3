// The broker's listeners: mutual TLS 1.2+ against the local CA, its own server certificate,
// ephemeral ports, an opt-in plain-TCP listener for development, and a clean close.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import mqtt from 'mqtt';
import { startBroker, type RunningBroker } from '../../../../infra/local/broker/server.ts';
import { addDevices, type AddedDevice } from '../../../../infra/local/devices/provision.ts';
import { statePaths } from '../../../../infra/local/state.ts';
import { CLIENTS, capturedLogger, connectOutcome, reading, recordingSink, requireMosquittoPub, tempDir, until } from './fixture.ts';

const TOPIC = 'dt/energy/site-01/meter-0001/readings';
const { sink, received } = recordingSink();
const { logger, records } = capturedLogger();
let state: Awaited<ReturnType<typeof tempDir>>;
let foreign: Awaited<ReturnType<typeof tempDir>>;
let broker: RunningBroker;
let meter1: AddedDevice;
let impostor: AddedDevice;

beforeAll(async () => {
  await requireMosquittoPub();
  state = await tempDir();
  foreign = await tempDir();
  [meter1] = (await addDevices(state.dir, [{ deviceId: 'meter-0001', siteId: 'site-01' }])) as [AddedDevice];
  // Same thing name, same site, but issued by another installation's CA.
  [impostor] = (await addDevices(foreign.dir, [{ deviceId: 'meter-0001', siteId: 'site-01' }])) as [AddedDevice];
  broker = await startBroker({ stateDir: state.dir, port: 0, sink, logger });
});

afterAll(async () => {
  await broker?.close();
  await state?.cleanup();
  await foreign?.cleanup();
});

beforeEach(() => {
  received.length = 0;
  records.length = 0;
});

const tlsRefusals = (): unknown[] => records.filter((r) => r.msg === 'TLS connection refused').map((r) => r.reason);

describe.each(CLIENTS)('with %s', (_name, publish) => {
  it('refuses a client that presents no certificate, in the TLS handshake', async () => {
    const outcome = await publish({ port: broker.port, clientId: 'meter-0001', tls: { ca: meter1.files.ca }, topic: TOPIC, payload: reading() });
    expect(outcome).toBe('refused at connect');
    expect(tlsRefusals()).toEqual([expect.stringContaining('peer did not return a certificate')]);
    expect(received).toEqual([]);
  });

  it('refuses a certificate issued by another CA, even for a registered thing name', async () => {
    const tlsFiles = { ca: meter1.files.ca, cert: impostor.files.cert, key: impostor.files.key };
    const outcome = await publish({ port: broker.port, clientId: 'meter-0001', tls: tlsFiles, topic: TOPIC, payload: reading() });
    expect(outcome).toBe('refused at connect');
    expect(tlsRefusals()).toEqual(['UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
    expect(received).toEqual([]);
  });
});

describe('TLS', () => {
  it('refuses TLS versions below 1.2', async () => {
    const [ca, cert, key] = await Promise.all([readFile(meter1.files.ca), readFile(meter1.files.cert), readFile(meter1.files.key)]);
    const result = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: broker.port, ca, cert, key, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
      socket.once('secureConnect', () => resolve(`connected with ${socket.getProtocol()}`));
      socket.once('error', (error) => resolve(error.message));
    });
    expect(result).toMatch(/protocol version/);
  });

  it('serves a certificate made on first start: signed by the local CA, for localhost and 127.0.0.1, key 0600', async () => {
    const paths = statePaths(state.dir);
    const [certPem, caPem] = await Promise.all([readFile(paths.serverCert, 'utf8'), readFile(paths.caCert, 'utf8')]);
    const cert = new X509Certificate(certPem);
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect((await stat(paths.serverKey)).mode & 0o777).toBe(0o600);
  });

  it('keeps that certificate across restarts', async () => {
    const before = await readFile(statePaths(state.dir).serverCert, 'utf8');
    const again = await startBroker({ stateDir: state.dir, port: 0, sink, logger });
    await again.close();
    expect(await readFile(statePaths(state.dir).serverCert, 'utf8')).toBe(before);
  });
});

describe('MQTT', () => {
  it('speaks MQTT 3.1.1: an MQTT 5 CONNECT is refused (aedes 1.x has no MQTT 5)', async () => {
    const [ca, cert, key] = await Promise.all([readFile(meter1.files.ca), readFile(meter1.files.cert), readFile(meter1.files.key)]);
    const outcome = await connectOutcome({ protocol: 'mqtts', port: broker.port, clientId: 'meter-0001', ca, cert, key, protocolVersion: 5 });
    expect(outcome).toBe('Connection refused: Unacceptable protocol version');
  });

  it('counts connected clients', async () => {
    const [ca, cert, key] = await Promise.all([readFile(meter1.files.ca), readFile(meter1.files.cert), readFile(meter1.files.key)]);
    expect(broker.connectedClients()).toBe(0);
    const client = await mqtt.connectAsync({ protocol: 'mqtts', host: '127.0.0.1', port: broker.port, clientId: 'meter-0001', ca, cert, key, protocolVersion: 4, reconnectPeriod: 0 });
    expect(broker.connectedClients()).toBe(1);
    await client.endAsync();
    await until(() => broker.connectedClients() === 0);
  });
});

describe('listeners', () => {
  it('listens on an ephemeral port when asked for port 0, and has no plain-TCP listener unless asked', () => {
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.insecurePort).toBeUndefined();
    expect(records.some((r) => String(r.msg).startsWith('INSECURE'))).toBe(false);
  });

  it('opens a plain-TCP listener only with insecureDevPort, with a loud warning', async () => {
    const { logger: devLogger, records: devRecords } = capturedLogger();
    const dev = await startBroker({ stateDir: state.dir, port: 0, insecureDevPort: 0, sink, logger: devLogger });
    try {
      expect(dev.insecurePort).toBeGreaterThan(0);
      expect(devRecords).toContainEqual(expect.objectContaining({ level: 40, port: dev.insecurePort, msg: expect.stringMatching(/^INSECURE plain-TCP MQTT listener/) }));
      expect(await connectOutcome({ port: dev.insecurePort, clientId: 'meter-0001' })).toBe('connected');
    } finally {
      await dev.close();
    }
  });

  it('closes even while a client holds a TCP connection without finishing the handshake, and stops listening', async () => {
    const other = await startBroker({ stateDir: state.dir, port: 0, sink, logger });
    const idle = net.connect(other.port, '127.0.0.1');
    await new Promise((resolve) => idle.once('connect', resolve));
    await other.close();
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(other.port, '127.0.0.1');
      socket.once('connect', () => resolve('connected'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    idle.destroy();
    expect(refused).toBe('ECONNREFUSED');
  });
});
