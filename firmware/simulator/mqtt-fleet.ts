// The simulated fleet on the wire: every meter of the pure fleet model (fleet.ts) connects as
// itself (client id = device id, its own client certificate) and publishes its batch messages
// with QoS 1, like the firmware would.
//
// `backfill` replays [start, end) in accelerated time: a message goes out as soon as its
// device has a free slot in its in-flight window, so the pace is set by PUBACKs, which the
// broker sends only once the buffer has the message on disk (backpressure reaches devices).
// `live` never publishes a message before its last reading was taken: with `start` in the
// past it first catches up as fast as PUBACKs allow, then follows the wall clock, forever or
// until `end`. One continuous run keeps every meter's register and `seq` consistent.
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { fleetDevices, generateFleetMessages, type FleetMessage, type FleetOptions } from './fleet.ts';

/** PEM contents a device connects with; `undefined` connects without TLS client credentials (plain `mqtt://`). */
export interface DeviceCredentials {
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer;
}

export interface FleetProgress {
  mode: 'backfill' | 'live';
  elapsedMs: number;
  connected: number;
  messagesSent: number;
  messagesAcked: number;
  readingsAcked: number;
  /** Publishes that failed (connection closed for good before their PUBACK). */
  failed: number;
  inFlight: number;
  /** Over the last progress interval. */
  messagesPerSecond: number;
  readingsPerSecond: number;
  /** readyAt of the newest message handed to a device, epoch ms (how far the replay has got). */
  simulatedTime: number | null;
}

export interface MqttFleetOptions extends Omit<FleetOptions, 'end'> {
  /** Broker URL, e.g. `mqtts://127.0.0.1:8883`. */
  url: string;
  mode: 'backfill' | 'live';
  /** End of the simulated period, exclusive; required for backfill, unbounded in live mode when omitted. */
  end?: number | string;
  credentials?: (deviceId: string) => DeviceCredentials | undefined | Promise<DeviceCredentials | undefined>;
  /** Unacknowledged publishes per device (the device's QoS 1 window). */
  maxInFlightPerDevice?: number;
  /** Devices connecting at the same time (TLS handshakes are CPU-bound). */
  connectConcurrency?: number;
  onProgress?: (progress: FleetProgress) => void;
  progressIntervalMs?: number;
  /** Stops live (or backfill) mode: no new publishes; in-flight ones are awaited; clients disconnect. */
  signal?: AbortSignal;
  now?: () => number;
}

export interface FleetRunSummary {
  messages: number;
  readings: number;
  failed: number;
  elapsedMs: number;
}

interface Device {
  id: string;
  client: MqttClient;
  inFlight: number;
  slotFreed: (() => void) | null;
}

export async function runMqttFleet(options: MqttFleetOptions): Promise<FleetRunSummary> {
  const { mode, credentials, maxInFlightPerDevice = 4, connectConcurrency = 32, onProgress, progressIntervalMs = 1000, signal, now = Date.now } = options;
  if (mode === 'backfill' && options.end === undefined) throw new RangeError('backfill needs an end');
  if (!(Number.isSafeInteger(maxInFlightPerDevice) && maxInFlightPerDevice >= 1)) throw new RangeError(`maxInFlightPerDevice must be a positive integer, got ${maxInFlightPerDevice}`);
  // Validates the layout and timing before any connection is opened.
  const messages = generateFleetMessages({ ...options, end: options.end ?? Number.MAX_SAFE_INTEGER });
  const first = messages.next();

  const started = now();
  const counts = { sent: 0, acked: 0, readingsAcked: 0, failed: 0, inFlight: 0, simulatedTime: null as number | null };
  const devices = await connectFleet(options, credentials, connectConcurrency, signal);
  let drained: (() => void) | null = null;

  const publish = (device: Device, message: FleetMessage): void => {
    device.inFlight++;
    counts.inFlight++;
    counts.sent++;
    counts.simulatedTime = message.readyAt;
    device.client.publish(message.topic, JSON.stringify(message.payload), { qos: 1 }, (error) => {
      if (error) counts.failed++;
      else {
        counts.acked++;
        counts.readingsAcked += message.payload.readings.length;
      }
      device.inFlight--;
      counts.inFlight--;
      device.slotFreed?.();
      if (counts.inFlight === 0) drained?.();
    });
  };

  const reporter = progressReporter(mode, started, now, counts, () => [...devices.values()].filter((d) => d.client.connected).length);
  const timer = onProgress ? setInterval(() => onProgress(reporter()), progressIntervalMs) : null;
  try {
    for (let next = first; !next.done; next = messages.next()) {
      if (signal?.aborted) break;
      const message = next.value;
      if (mode === 'live' && message.readyAt > now()) {
        const stopped = await sleep(message.readyAt - now(), false, { signal }).catch(() => true);
        if (stopped) break;
      }
      const device = devices.get(message.payload.device_id) as Device;
      while (device.inFlight >= maxInFlightPerDevice) {
        await new Promise<void>((resolve) => { device.slotFreed = resolve; });
        device.slotFreed = null;
      }
      publish(device, message);
    }
    if (counts.inFlight > 0) await new Promise<void>((resolve) => { drained = resolve; });
  } finally {
    if (timer !== null) clearInterval(timer);
    // Force only when something threw with publishes still unacknowledged.
    await Promise.all([...devices.values()].map((d) => d.client.endAsync(counts.inFlight > 0)));
  }
  onProgress?.(reporter());
  return { messages: counts.acked, readings: counts.readingsAcked, failed: counts.failed, elapsedMs: now() - started };
}

/** Connects every device of the layout, a few at a time; rejects with the first device that cannot connect. */
async function connectFleet(options: MqttFleetOptions, credentials: MqttFleetOptions['credentials'], concurrency: number, signal?: AbortSignal): Promise<Map<string, Device>> {
  const ids = fleetDevices(options).map((d) => d.deviceId);
  const devices = new Map<string, Device>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length && !signal?.aborted) {
      const id = ids[next++] as string;
      const client = await connectDevice(options.url, id, await credentials?.(id));
      devices.set(id, { id, client, inFlight: 0, slotFreed: null });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  } catch (error) {
    await Promise.all([...devices.values()].map((d) => d.client.endAsync(true)));
    throw error;
  }
  return devices;
}

/** One device's MQTT 3.1.1 session; reconnects by itself after the first CONNACK, like firmware would. */
function connectDevice(url: string, deviceId: string, tls: DeviceCredentials | undefined): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId: deviceId,
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    connectTimeout: 15_000,
    reconnectPeriod: 1000,
    ...(tls && { ca: tls.ca, cert: tls.cert, key: tls.key }),
  });
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      client.removeAllListeners('connect');
      client.end(true);
      reject(new Error(`device ${deviceId} could not connect to ${url}: ${reason}`));
    };
    client.once('connect', () => {
      client.removeAllListeners('close');
      client.removeAllListeners('error');
      client.on('error', () => undefined); // later errors end in a reconnect; mqtt.js retries
      resolve(client);
    });
    client.once('error', (error) => fail(error.message));
    client.once('close', () => fail('connection closed before CONNACK'));
  });
}

function progressReporter(
  mode: FleetProgress['mode'], started: number, now: () => number,
  counts: { sent: number; acked: number; readingsAcked: number; failed: number; inFlight: number; simulatedTime: number | null },
  connected: () => number,
): () => FleetProgress {
  let last = { at: started, acked: 0, readings: 0 };
  return () => {
    const at = now();
    const seconds = Math.max(at - last.at, 1) / 1000;
    const progress: FleetProgress = {
      mode,
      elapsedMs: at - started,
      connected: connected(),
      messagesSent: counts.sent,
      messagesAcked: counts.acked,
      readingsAcked: counts.readingsAcked,
      failed: counts.failed,
      inFlight: counts.inFlight,
      messagesPerSecond: Math.round((counts.acked - last.acked) / seconds),
      readingsPerSecond: Math.round((counts.readingsAcked - last.readings) / seconds),
      simulatedTime: counts.simulatedTime,
    };
    last = { at, acked: counts.acked, readings: counts.readingsAcked };
    return progress;
  };
}
