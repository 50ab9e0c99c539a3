// The agent speaks MQTT 5 (as it does to AWS IoT Core) to a broker nobody here wrote: Debian's
// mosquitto, with mutual TLS from the twin's CA. The twin's aedes only speaks 3.1.1, so this is
// where the agent's MQTT 5 path meets a real peer: the broker logs the protocol level of each
// client, and a watcher sees the agent's status and readings, in the contract's payload.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../../firmware/agent/agent.ts';
import { parseAgentConfig } from '../../../firmware/agent/config.ts';
import type { StatusPayload } from '../../../firmware/agent/status.ts';
import { decodeMessage } from '../../../pipeline/decode/payload.ts';
import { loadOrCreateCa, loadOrCreateServerCredentials } from '../../../infra/local/devices/pki.ts';
import { credentialFiles, deviceDir, statePaths } from '../../../infra/local/state.ts';
import { DEVICE, SITE, rawTestConfig, stateWithDevice, tempDir } from './fixture.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const until = async (what: string, condition: () => boolean, log: () => string, ms = 15_000): Promise<void> => {
  for (const start = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 25))) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}; broker log:\n${log()}`);
  }
};

interface Received { topic: string; payload: Record<string, unknown> }

describe('the agent over MQTT 5 to mosquitto with mutual TLS', () => {
  let stateDir: string;
  let queueDir: string;
  let broker: ChildProcess;
  let brokerLog = '';
  let watcher: mqtt.MqttClient;
  let agent: RunningAgent | undefined;
  const received: Received[] = [];

  beforeAll(async () => {
    if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: apt-get install mosquitto (.ci/run does)`);
    stateDir = await stateWithDevice();
    queueDir = await tempDir('queue-mqtt5');
    const paths = statePaths(stateDir);
    const ca = await loadOrCreateCa(paths);
    await loadOrCreateServerCredentials(paths, ca);
    const port = await freePort();
    const conf = join(stateDir, 'mosquitto.conf');
    // stderr, because mosquitto buffers stdout when it is not a terminal.
    // Only certificate holders of the twin's CA get in; their certificate's CN is their identity.
    await writeFile(conf, [
      `user ${userInfo().username}`,
      'per_listener_settings false',
      `listener ${port} 127.0.0.1`,
      `cafile ${paths.caCert}`, `certfile ${paths.serverCert}`, `keyfile ${paths.serverKey}`,
      'require_certificate true', 'use_identity_as_username true', 'tls_version tlsv1.2',
      'log_dest stderr', 'log_type all', 'connection_messages true', '',
    ].join('\n'));
    broker = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    broker.stdout?.on('data', (chunk: Buffer) => { brokerLog += chunk.toString(); });
    broker.stderr?.on('data', (chunk: Buffer) => { brokerLog += chunk.toString(); });
    await until('mosquitto to listen', () => brokerLog.includes(`Opening ipv4 listen socket on port ${port}`), () => brokerLog);

    const files = credentialFiles(deviceDir(stateDir, DEVICE));
    watcher = await mqtt.connectAsync({
      protocol: 'mqtts', host: '127.0.0.1', port, clientId: 'watcher', protocolVersion: 5, reconnectPeriod: 0,
      ca: await readFile(files.ca), cert: await readFile(files.cert), key: await readFile(files.key),
    });
    watcher.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }));
    await watcher.subscribeAsync(`dt/energy/${SITE}/${DEVICE}/#`, { qos: 1 });

    const raw = rawTestConfig({ stateDir, queueDir, port, intervalMs: 200, maxReadings: 5, maxAgeMs: 1000 });
    const config = parseAgentConfig({ ...raw, mqtt: { ...(raw.mqtt as Record<string, unknown>), protocolVersion: 5 } }, { baseDir: stateDir });
    agent = await startAgent({ config, logger: pino({ level: 'silent' }) });
    await until('three readings messages', () => received.filter((m) => m.topic.endsWith('/readings')).length >= 3, () => brokerLog);
    await agent.stop({ drainMs: 5_000 });
    agent = undefined;
    await until('the offline status', () => received.some((m) => m.topic.endsWith('/status') && m.payload.state === 'offline'), () => brokerLog);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop({ drainMs: 0 });
    await watcher?.endAsync(true);
    broker?.kill('SIGTERM');
    await rm(stateDir, { recursive: true, force: true });
    await rm(queueDir, { recursive: true, force: true });
  });

  it('connects as its thing with protocol level 5, over TLS with its certificate', () => {
    // mosquitto logs "New client connected from 127.0.0.1:… as meter-0001 (p5, c1, k…, u'meter-0001')".
    expect(brokerLog).toMatch(new RegExp(`New client connected from 127\\.0\\.0\\.1:\\d+ as ${DEVICE} \\(p5, c1, k\\d+, u'${DEVICE}'\\)`));
  });

  it('announces itself online, then offline when stopped, on its status topic', () => {
    const statuses = received.filter((m) => m.topic === `dt/energy/${SITE}/${DEVICE}/status`).map((m) => m.payload as unknown as StatusPayload);
    expect(statuses[0]).toMatchObject({ device_id: DEVICE, state: 'online' });
    expect(statuses.at(-1)).toMatchObject({ device_id: DEVICE, state: 'offline' });
  });

  it('publishes batches the pipeline accepts whole, with seq counting up from the first', () => {
    const batches = received.filter((m) => m.topic === `dt/energy/${SITE}/${DEVICE}/readings`);
    for (const batch of batches) {
      const decoded = decodeMessage(batch.payload, { siteId: SITE, topicDeviceId: DEVICE, receivedAt: Date.now() });
      expect(decoded.rejected).toEqual([]);
      expect(decoded.accepted.length).toBeGreaterThan(0);
    }
    const seqs = batches.map((b) => b.payload.seq as number);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });
});
