// Test rig for the twin's broker: temp state folders, a recording sink, captured logs, and two
// independent MQTT clients (mqtt.js, and Debian's mosquitto_pub, which nobody here wrote) that
// report what became of one QoS 1 publish.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { pino, type Logger } from 'pino';
import { issueDeviceCertificate, loadOrCreateCa } from '../../../../infra/local/devices/pki.ts';
import { credentialFiles, statePaths } from '../../../../infra/local/state.ts';
import type { AcceptedPublish, PublishSink } from '../../../../infra/local/broker/types.ts';

export type Credentials = ReturnType<typeof credentialFiles>;

export async function tempDir(prefix = 'wattlake-broker-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A sink that records every accepted publish; `behaviour` may delay or reject it. */
export function recordingSink(behaviour: (publish: AcceptedPublish) => Promise<void> = async () => undefined): {
  sink: PublishSink;
  received: AcceptedPublish[];
} {
  const received: AcceptedPublish[] = [];
  return {
    received,
    sink: async (publish) => {
      received.push(publish);
      await behaviour(publish);
    },
  };
}

/** A pino logger whose records land in `records`. */
export function capturedLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

/** A certificate signed by the state folder's CA for `deviceId`, but never entered in its registry. */
export async function unregisteredCredentials(stateDir: string, deviceId: string, dir: string): Promise<Credentials> {
  const ca = await loadOrCreateCa(statePaths(stateDir));
  const issued = await issueDeviceCertificate(ca, deviceId);
  const files = credentialFiles(dir);
  await writeFile(files.cert, issued.certPem);
  await writeFile(files.key, issued.keyPem, { mode: 0o600 });
  await writeFile(files.ca, ca.certPem);
  return files;
}

export type Outcome = 'acked' | 'refused at connect' | 'refused at publish';

export interface PublishAttempt {
  port: number;
  clientId: string;
  /** Server CA, and the client's certificate and key; omit cert/key to connect without a client certificate. */
  tls: { ca: string; cert?: string; key?: string };
  topic: string;
  payload: string | Buffer;
}

/** One connection, one QoS 1 publish: PUBACKed, refused at CONNECT/TLS, or cut off after publishing. */
export type MqttClientDriver = (attempt: PublishAttempt) => Promise<Outcome>;

export const publishWithMqttJs: MqttClientDriver = async ({ port, clientId, tls, topic, payload }) => {
  const [ca, cert, key] = await Promise.all([readFile(tls.ca), tls.cert && readFile(tls.cert), tls.key && readFile(tls.key)]);
  const client = mqtt.connect({
    protocol: 'mqtts',
    host: '127.0.0.1',
    port,
    clientId,
    ca,
    ...(cert && key && { cert, key }),
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  client.on('error', () => undefined); // the outcome comes from 'connect' / 'close'
  return new Promise<Outcome>((resolve) => {
    let connected = false;
    client.once('connect', () => {
      connected = true;
      client.publish(topic, payload, { qos: 1 }, (error) => resolve(error ? 'refused at publish' : 'acked'));
    });
    client.once('close', () => resolve(connected ? 'refused at publish' : 'refused at connect'));
  }).finally(() => client.end(true));
};

const MOSQUITTO_PUB = 'mosquitto_pub';

/** Fails loudly (never skips) when the independent client is missing. */
export async function requireMosquittoPub(): Promise<void> {
  const found = await new Promise<boolean>((resolve) => {
    const child = spawn(MOSQUITTO_PUB, ['--help']);
    child.on('error', () => resolve(false));
    child.on('close', () => resolve(true));
  });
  if (!found) throw new Error('mosquitto_pub not found: install the Debian package mosquitto-clients (apt-get install -y mosquitto-clients)');
}

export const publishWithMosquittoPub: MqttClientDriver = ({ port, clientId, tls, topic, payload }) => {
  const args = ['-d', '-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', '-i', clientId, '-q', '1', '-t', topic, '-s', '--cafile', tls.ca];
  if (tls.cert && tls.key) args.push('--cert', tls.cert, '--key', tls.key);
  return new Promise<Outcome>((resolve, reject) => {
    // The payload goes through stdin (-s): a 128 KiB argument would exceed Linux's per-argument limit.
    const child = spawn(MOSQUITTO_PUB, args, { timeout: 20_000 });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal) return reject(new Error(`mosquitto_pub was killed (${signal}): it hung instead of finishing\n${output}`));
      // -d prints the protocol exchange: "received CONNACK (0)" = connected, "received PUBACK" = acknowledged.
      if (code === 0 && /received PUBACK/.test(output)) resolve('acked');
      else resolve(/received CONNACK \(0\)/.test(output) ? 'refused at publish' : 'refused at connect');
    });
    child.stdin.on('error', () => undefined); // a refused connection may close before stdin is read
    child.stdin.end(payload);
  });
};

export const CLIENTS: [string, MqttClientDriver][] = [
  ['mqtt.js', publishWithMqttJs],
  ['mosquitto_pub', publishWithMosquittoPub],
];

export const reading = (ts = '2026-11-21T10:00:00Z'): string =>
  JSON.stringify({ device_id: 'meter-0001', seq: 1042, readings: [{ ts, energy_import_kwh: 12345.678, power_w: 2300.5, voltage_v: 231.2 }] });

/** Connects with mqtt.js and reports 'connected', or how the connection ended. */
export function connectOutcome(options: mqtt.IClientOptions): Promise<string> {
  const client = mqtt.connect({ host: '127.0.0.1', protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000, ...options });
  return new Promise<string>((resolve) => {
    client.once('connect', () => resolve('connected'));
    client.once('error', (error) => resolve(error.message));
    client.once('close', () => resolve('closed'));
  }).finally(() => client.end(true));
}

/** Polls until `condition` holds (for effects that arrive with no event to await). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
