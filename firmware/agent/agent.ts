// The metering-box agent, composed: clock-aligned sampler -> meter driver -> rounding ->
// batcher -> disk queue (fsync before a message counts as taken) -> publisher (MQTT/TLS, QoS 1,
// ack after PUBACK), plus the status message. Every part is its own file; this one only wires.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { formatTs } from '../simulator/meter-model.ts';
import { Batcher, batchPayload } from './batcher.ts';
import { checkClock, type ClockCheck } from './clock.ts';
import { ConfigError, type AgentConfig } from './config.ts';
import { createDriver } from './drivers/create-driver.ts';
import type { MeterDriver } from './drivers/driver.ts';
import { Publisher } from './publisher.ts';
import { DiskQueue } from './queue/disk-queue.ts';
import { roundValues, type AgentReading } from './reading.ts';
import { startSampler, type Sampler } from './sampler.ts';
import { statusPayload, type AgentCounters } from './status.ts';
import { AGENT_VERSION } from './version.ts';

export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  /** Replaces the configured driver (tests, benchmarks). */
  driver?: MeterDriver;
  now?: () => number;
  random?: () => number;
  /** Every reading taken, in order (tests and benchmarks watch what was sampled). */
  onReading?: (reading: AgentReading) => void;
  /** A message is on disk: it will be delivered unless the queue overflows. */
  onEnqueued?: (seq: number, readings: number) => void;
}

export interface RunningAgent {
  readonly queue: DiskQueue;
  readonly publisher: Publisher;
  readonly counters: Readonly<AgentCounters>;
  /** Stops sampling, puts the open batch on disk, delivers for up to `drainMs`, announces offline. */
  stop(options?: { drainMs?: number; reason?: string }): Promise<void>;
}

export const readingsTopic = (siteId: string, deviceId: string): string => `dt/energy/${siteId}/${deviceId}/readings`;
export const statusTopic = (siteId: string, deviceId: string): string => `dt/energy/${siteId}/${deviceId}/status`;

async function readCredential(kind: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new Error(`cannot read mqtt.${kind} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { config, logger, now = Date.now } = options;
  const { deviceId, siteId } = config;
  const startedMs = now();
  const [ca, cert, key] = await Promise.all([readCredential('ca', config.mqtt.ca), readCredential('cert', config.mqtt.cert), readCredential('key', config.mqtt.key)]);
  try {
    // mqtt.js would throw this from inside its connect, far from the config that caused it.
    createSecureContext({ ca, cert, key });
  } catch (error) {
    throw new ConfigError(`mqtt.ca / mqtt.cert / mqtt.key (${config.mqtt.ca}, ${config.mqtt.cert}, ${config.mqtt.key}) are not a usable PEM CA, certificate and matching key: ${(error as Error).message}`, { cause: error });
  }
  const counters: AgentCounters = { readings: 0, readErrors: 0, skippedTicks: 0, lastError: null };
  const notBeforeMs = Date.parse(config.clock.notBefore);
  let lastReadingMs: number | null = null;
  let clock: ClockCheck = { state: 'unverified', sample: true, reason: null };
  const checkClockNow = (): ClockCheck => {
    clock = checkClock({ nowMs: now(), notBeforeMs, lastReadingMs, syncMarkerPresent: config.clock.syncMarker === null ? null : existsSync(config.clock.syncMarker) });
    return clock;
  };
  checkClockNow();

  let publisher: Publisher | null = null;
  const queue = await DiskQueue.open({
    dir: config.queue.dir, maxBytes: config.queue.maxBytes, segmentBytes: config.queue.segmentBytes,
    onEvict: (loss) => {
      logger.error(loss, 'queue full: oldest messages evicted (reported on the status topic)');
      void publisher?.publishStatus();
    },
    onRecover: (info) => logger.warn(info, 'queue: cut off a torn tail left by a crash'),
  });
  const driver = options.driver ?? await createDriver(config);
  logger.info({ deviceId, siteId, meter: driver.description, queue: queue.stats(), version: AGENT_VERSION }, 'agent: starting');

  publisher = new Publisher({
    url: config.mqtt.url, clientId: deviceId, tls: { ca, cert, key }, protocolVersion: config.mqtt.protocolVersion,
    keepaliveSeconds: config.mqtt.keepaliveSeconds, inFlight: config.mqtt.inFlight, backoff: config.mqtt.backoff,
    readingsTopic: readingsTopic(siteId, deviceId), statusTopic: statusTopic(siteId, deviceId), queue, logger,
    ...(options.random && { random: options.random }),
    status: (state, reason) => statusPayload({
      deviceId, state, ...(reason !== undefined && { reason }), nowMs: now(), startedMs, firmwareVersion: AGENT_VERSION, meter: driver.description,
      queue: queue.stats(), counters: { ...counters, lastError: counters.lastError ?? publisher?.stats.lastError ?? null }, clock: { state: clock.state, reason: clock.reason },
    }),
  });
  publisher.start();

  // Batches go to disk in the order they closed; the queue serializes appends and assigns seq.
  let enqueuing: Promise<void> = Promise.resolve();
  const enqueue = (batch: AgentReading[]): void => {
    enqueuing = queue.append(batch.length, (seq) => batchPayload(deviceId, seq, batch)).then(
      (seq) => options.onEnqueued?.(seq, batch.length),
      (error: Error) => {
        counters.lastError = `queue append failed: ${error.message}`;
        logger.error({ err: error.message, readings: batch.length }, 'queue append failed: batch lost');
      },
    );
  };
  const batcher = new Batcher(config.batch);
  let ageTimer: NodeJS.Timeout | null = null;
  const armAgeTimer = (): void => {
    const due = batcher.dueAt;
    if (due === null || ageTimer !== null) return;
    ageTimer = setTimeout(() => {
      ageTimer = null;
      const batch = batcher.takeIfDue(now());
      if (batch) enqueue(batch);
      armAgeTimer();
    }, Math.max(0, due - now()));
  };

  const readTimeoutMs = config.sampling.readTimeoutMs ?? Math.min(10_000, Math.max(50, Math.floor(config.sampling.intervalMs * 0.8)));
  const fail = (message: string): void => {
    counters.lastError = message;
    logger.warn({ err: message }, 'sample failed');
  };
  const sampler: Sampler = startSampler({
    intervalMs: config.sampling.intervalMs,
    offsetMs: config.sampling.offsetMs,
    now,
    onSkipped: (ticks) => { counters.skippedTicks += ticks; },
    onTick: async (tick) => {
      const check = checkClockNow();
      if (!check.sample || (lastReadingMs !== null && tick <= lastReadingMs)) {
        counters.skippedTicks++;
        fail(check.reason ?? 'tick not after the last reading');
        return;
      }
      try {
        const values = roundValues(await withTimeout(driver.read(tick), readTimeoutMs, 'meter read'), driver.resolution);
        if (values === null) throw new Error('meter returned no usable import register');
        const reading: AgentReading = { ts: formatTs(tick, 'iso') as string, ...values };
        lastReadingMs = tick;
        counters.readings++;
        options.onReading?.(reading);
        const full = batcher.add(reading, tick);
        if (full) enqueue(full);
        else armAgeTimer();
      } catch (error) {
        counters.readErrors++;
        fail((error as Error).message);
      }
    },
  });
  const statusTimer = setInterval(() => void publisher?.publishStatus(), config.status.intervalMs);

  let stopping: Promise<void> | null = null;
  return {
    queue,
    publisher,
    counters,
    stop({ drainMs = 10_000, reason = 'stopped' } = {}) {
      stopping ??= (async () => {
        await sampler.stop();
        clearInterval(statusTimer);
        if (ageTimer !== null) clearTimeout(ageTimer);
        const open = batcher.take();
        if (open) enqueue(open);
        await enqueuing;
        await publisher.stop({ drainMs, reason });
        await queue.close();
        await driver.close();
        logger.info({ queue: queue.stats(), counters }, 'agent: stopped');
      })();
      return stopping;
    },
  };
}
