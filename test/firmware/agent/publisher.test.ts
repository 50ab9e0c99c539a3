// The publisher's connection: its mqtt.js options, and its last will seen by another client of
// a broker. The twin's broker refuses wills (it has no thing to vouch for a will published after
// the client is gone), so the LWT is checked against a bare aedes behind the twin's TLS set-up.
import { readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent } from '../../../firmware/agent/agent.ts';
import { connectOptions } from '../../../firmware/agent/publisher.ts';
import type { StatusPayload } from '../../../firmware/agent/status.ts';
import { loadOrCreateCa, loadOrCreateServerCredentials } from '../../../infra/local/devices/pki.ts';
import { credentialFiles, deviceDir, statePaths } from '../../../infra/local/state.ts';
import { DEVICE, SITE, stateWithDevice, tempDir, testConfig } from './fixture.ts';

const TLS = { ca: Buffer.from('ca'), cert: Buffer.from('cert'), key: Buffer.from('key') };
const BASE = { clientId: DEVICE, tls: TLS, keepaliveSeconds: 60, statusTopic: `dt/energy/${SITE}/${DEVICE}/status` };

describe('connectOptions', () => {
  it('connects to IoT Core with MQTT 5, TLS client certificate, SNI, a clean session and no automatic reconnect', () => {
    const options = connectOptions({ ...BASE, url: 'mqtts://a1b2c3-ats.iot.eu-north-1.amazonaws.com', protocolVersion: 5 }, { state: 'offline' });
    expect(options).toMatchObject({
      protocol: 'mqtts', host: 'a1b2c3-ats.iot.eu-north-1.amazonaws.com', port: 8883, servername: 'a1b2c3-ats.iot.eu-north-1.amazonaws.com',
      clientId: DEVICE, ca: TLS.ca, cert: TLS.cert, key: TLS.key, rejectUnauthorized: true, protocolVersion: 5, clean: true, reconnectPeriod: 0,
      properties: { sessionExpiryInterval: 0 },
    });
    expect(options.will).toMatchObject({ topic: BASE.statusTopic, qos: 1, retain: false });
    expect(JSON.parse(String(options.will?.payload))).toEqual({ state: 'offline' });
  });

  it('speaks MQTT 3.1.1 when told to (the twin), and sends no SNI for an IP address', () => {
    const options = connectOptions({ ...BASE, url: 'mqtts://127.0.0.1:18883', protocolVersion: 4 }, {});
    expect(options).toMatchObject({ host: '127.0.0.1', port: 18883, protocolVersion: 4 });
    expect(options).not.toHaveProperty('servername');
    expect(options).not.toHaveProperty('properties');
  });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('the broker publishes the agent\'s LWT (offline, connection lost) when its connection dies', async () => {
  const stateDir = await stateWithDevice();
  const queueDir = await tempDir('queue');
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }), () => rm(queueDir, { recursive: true, force: true }));
  const paths = statePaths(stateDir);
  const ca = await loadOrCreateCa(paths);
  const server = await loadOrCreateServerCredentials(paths, ca);
  const broker = await Aedes.createBroker();
  const sockets = new Set<tls.TLSSocket>();
  const listener = tls.createServer({ key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (socket) => {
    sockets.add(socket);
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });
  const port = (listener.address() as AddressInfo).port;

  const files = credentialFiles(deviceDir(stateDir, DEVICE));
  const watcher = await mqtt.connectAsync({ protocol: 'mqtts', host: '127.0.0.1', port, clientId: 'watcher', ca: await readFile(files.ca), cert: await readFile(files.cert), key: await readFile(files.key), protocolVersion: 4, reconnectPeriod: 0 });
  cleanups.push(() => watcher.endAsync(true));
  const statuses: StatusPayload[] = [];
  watcher.on('message', (_topic, payload) => statuses.push(JSON.parse(payload.toString()) as StatusPayload));
  await watcher.subscribeAsync(`dt/energy/${SITE}/${DEVICE}/status`, { qos: 1 });

  const agent = await startAgent({ config: testConfig({ stateDir, queueDir, port }), logger: pino({ level: 'silent' }) });
  cleanups.push(() => agent.stop({ drainMs: 0 }));
  const until = async (condition: () => boolean): Promise<void> => {
    for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  };
  await until(() => statuses.some((s) => s.state === 'online'));
  expect(statuses[0]).toMatchObject({ device_id: DEVICE, state: 'online', firmware_version: expect.any(String), clock: { state: 'unverified' } });
  // The agent's connection (the second one; the watcher's is the first) dies without a DISCONNECT, as when the cable is pulled.
  const [, agentSocket] = sockets;
  agentSocket?.destroy();
  await until(() => statuses.some((s) => s.state === 'offline'));
  expect(statuses.find((s) => s.state === 'offline')).toMatchObject({ device_id: DEVICE, state: 'offline', reason: 'connection lost' });
});
