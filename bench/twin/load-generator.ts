// The benchmark's devices, in a process of their own (forked by generator-process.ts): both
// the twin and a thousand TLS clients are CPU-bound, and on a 2-core machine they must not
// share one event loop, or the clients' work would be billed to the twin's latency.
// Driven over IPC (load-protocol.ts): connects every device with its own certificate, runs each
// load it is sent and reports its result, until told to stop.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { credentialsFromStateDir } from '../../firmware/simulator/device-credentials.ts';
import { BenchDevice } from './bench-device.ts';
import { LatencyRecorder } from './latency.ts';
import type { FromGenerator, GeneratorConfig, LoadResult, LoadSpec, ToGenerator } from './load-protocol.ts';
import { deviceStream, nextMessage, type DeviceStream } from './payloads.ts';

/** `messages`: this run's payloads, built before it starts; `sent` of them are published. */
interface Device { client: BenchDevice; stream: DeviceStream; messages: Buffer[]; sent: number }

const send = (message: FromGenerator): void => {
  process.send?.(message);
};

async function connectAll(config: GeneratorConfig): Promise<Device[]> {
  const credentials = credentialsFromStateDir(config.stateDir);
  const { hostname, port } = new URL(config.url);
  const devices: Device[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < config.devices.length) {
      const { deviceId, siteId } = config.devices[next++]!;
      const { ca, cert, key } = await credentials(deviceId);
      const client = await BenchDevice.connect({ host: hostname, port: Number(port), clientId: deviceId, ca, cert, key });
      devices.push({ client, stream: deviceStream(deviceId, siteId), messages: [], sent: 0 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.connectConcurrency, config.devices.length) }, worker));
  return devices;
}

/** Publishes a run makes at most: every device's messages in a max run, every turn of a paced one. */
const runMessages = (devices: Device[], load: LoadSpec): number =>
  load.kind === 'max' ? devices.length * load.messagesPerDevice : Math.round(load.messagesPerSecond * load.seconds);

/**
 * Builds every message a run may publish before it starts (a paced run's turns go round the
 * devices in order), so that the generator's CPU during the run goes to MQTT and TLS: it shares
 * the machine with the system under test. Messages of skipped turns are never sent.
 */
function prepareMessages(devices: Device[], load: LoadSpec, total: number, firstTs: number): void {
  devices.forEach((device, i) => {
    const count = i < total ? Math.floor((total - 1 - i) / devices.length) + 1 : 0;
    device.messages = Array.from({ length: count }, () => nextMessage(device.stream, load.readingsPerMessage, firstTs));
    device.sent = 0;
  });
}

interface PreparedLoad { load: LoadSpec; total: number }

function runLoad(devices: Device[], { load, total }: PreparedLoad): Promise<LoadResult> {
  const latencies = new LatencyRecorder(total);
  const counts = { messages: 0, readings: 0, failed: 0, skipped: 0, inFlight: 0 };
  const cpuBefore = process.cpuUsage();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  let lastAck = started;
  let publishingDone = false;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const settleIfDone = (): void => {
    if (publishingDone && counts.inFlight === 0) finish();
  };

  // A paced run's first seconds are its ramp: their latencies show the start, not the steady state.
  const measureFrom = started + (load.kind === 'paced' ? load.rampSeconds * 1000 : 0);
  const publish = (device: Device, onAck?: () => void): void => {
    const payload = device.messages[device.sent++]!;
    counts.inFlight++;
    const at = performance.now();
    device.client.publish(device.stream.topic, payload, (error) => {
      lastAck = performance.now();
      counts.inFlight--;
      if (error) counts.failed++;
      else {
        if (at >= measureFrom) latencies.record(lastAck - at);
        counts.messages++;
        counts.readings += load.readingsPerMessage;
        onAck?.();
      }
      settleIfDone();
    });
  };

  if (load.kind === 'max') {
    for (const device of devices) {
      let remaining = load.messagesPerDevice;
      const lane = (): void => {
        if (remaining <= 0) return;
        remaining--;
        publish(device, lane);
      };
      for (let i = 0; i < load.window; i++) lane();
    }
    publishingDone = true;
    settleIfDone();
  } else {
    let turn = 0;
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * load.messagesPerSecond));
      for (; turn < due; turn++) {
        const device = devices[turn % devices.length]!;
        if (device.client.inFlight >= load.maxInFlightPerDevice) counts.skipped++;
        else publish(device);
      }
      if (turn >= total) {
        clearInterval(timer);
        publishingDone = true;
        settleIfDone();
      }
    }, 2);
  }

  return finished.then(() => {
    const cpu = process.cpuUsage(cpuBefore);
    delay.disable();
    for (const device of devices) device.messages = [];
    return {
      messages: counts.messages, readings: counts.readings, failed: counts.failed, skipped: counts.skipped,
      elapsedMs: lastAck - started, latency: latencies.summary(), cpuMs: (cpu.user + cpu.system) / 1000, eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
    };
  });
}

let devices: Device[] = [];
let firstTs = 0;
let prepared: PreparedLoad | null = null;

async function handle(message: ToGenerator): Promise<void> {
  if (message.type === 'connect') {
    const began = performance.now();
    firstTs = message.config.firstTs;
    devices = await connectAll(message.config);
    send({ type: 'connected', devices: devices.length, connectMs: performance.now() - began });
  } else if (message.type === 'prepare') {
    const total = runMessages(devices, message.load);
    prepareMessages(devices, message.load, total, firstTs);
    prepared = { load: message.load, total };
    send({ type: 'prepared' });
  } else if (message.type === 'run') {
    if (prepared === null) throw new Error('run before prepare');
    const load = prepared;
    prepared = null;
    send({ type: 'result', result: await runLoad(devices, load) });
  } else {
    await Promise.all(devices.map((d) => d.client.close()));
    process.disconnect();
  }
}

process.on('message', (message: ToGenerator) => {
  handle(message).catch((error: Error) => send({ type: 'error', message: error.stack ?? error.message }));
});
