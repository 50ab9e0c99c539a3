// Delivery to AWS IoT Core (or the twin) over MQTT/TLS with the device certificate: one session
// at a time, messages from the disk queue in seq order with QoS 1, each acknowledged to the
// queue only after its PUBACK. A lost connection ends the session; the next one (after an
// exponential backoff with jitter) starts again at the first unacknowledged message, so a
// message is never skipped and order is kept. The LWT announces `offline` when the connection
// dies without a clean stop.
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import type { DiskQueue } from './queue/disk-queue.ts';

export interface PublisherLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface PublisherOptions {
  url: string;
  clientId: string;
  tls: { ca: Buffer; cert: Buffer; key: Buffer };
  protocolVersion: 4 | 5;
  keepaliveSeconds: number;
  inFlight: number;
  backoff: BackoffOptions;
  readingsTopic: string;
  statusTopic: string;
  queue: DiskQueue;
  /** The status message's body for `state`; called at each connect (also for the LWT) and status publish. */
  status: (state: 'online' | 'offline', reason?: string) => object;
  logger: PublisherLogger;
  random?: () => number;
  connectTimeoutMs?: number;
}

export interface PublisherStats {
  connects: number;
  connectionLosses: number;
  published: number;
  acked: number;
  lastError: string | null;
}

/** A connection that lasted this long counts as healthy: the backoff starts over. */
const STABLE_SESSION_MS = 30_000;

/** mqtt.js options of one session: TLS with the client certificate, clean session, no automatic reconnect (ours has jitter). */
export function connectOptions(options: Pick<PublisherOptions, 'url' | 'clientId' | 'tls' | 'protocolVersion' | 'keepaliveSeconds' | 'statusTopic' | 'connectTimeoutMs'>, will: object): IClientOptions {
  const url = new URL(options.url);
  return {
    protocol: 'mqtts',
    host: url.hostname,
    port: url.port === '' ? 8883 : Number(url.port),
    // SNI: IoT Core picks the account endpoint by it (an IP address, e.g. a twin on loopback, is not a server name).
    ...(isIP(url.hostname) === 0 && { servername: url.hostname }),
    clientId: options.clientId,
    ca: options.tls.ca,
    cert: options.tls.cert,
    key: options.tls.key,
    rejectUnauthorized: true,
    protocolVersion: options.protocolVersion,
    clean: true,
    keepalive: options.keepaliveSeconds,
    connectTimeout: options.connectTimeoutMs ?? 15_000,
    reconnectPeriod: 0,
    will: { topic: options.statusTopic, payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: false },
    ...(options.protocolVersion === 5 && { properties: { sessionExpiryInterval: 0 } }),
  };
}

export class Publisher {
  readonly stats: PublisherStats = { connects: 0, connectionLosses: 0, published: 0, acked: 0, lastError: null };
  private client: MqttClient | null = null;
  /** The session's client from connect() on, also before its CONNACK. */
  private attempt: MqttClient | null = null;
  private stopping = false;
  private readonly stopController = new AbortController();
  private running: Promise<void> | null = null;
  private readonly publishOptions: IClientPublishOptions;

  constructor(private readonly options: PublisherOptions) {
    this.publishOptions = options.protocolVersion === 5
      ? { qos: 1, properties: { payloadFormatIndicator: true, contentType: 'application/json' } }
      : { qos: 1 };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Publishes a status message now if connected (QoS 1); otherwise the next connect sends one. */
  async publishStatus(state: 'online' | 'offline' = 'online', reason?: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) return;
    await client.publishAsync(this.options.statusTopic, JSON.stringify(this.options.status(state, reason)), this.publishOptions)
      .catch((error: Error) => this.fail('status publish failed', error));
  }

  /**
   * Waits up to `drainMs` for the queue to be delivered, announces `offline` and disconnects.
   * What is left stays in the queue for the next start.
   */
  async stop({ drainMs, reason = 'stopped' }: { drainMs: number; reason?: string }): Promise<void> {
    const deadline = Date.now() + drainMs;
    while (this.options.queue.stats().messages > 0 && this.connected && Date.now() < deadline) {
      await Promise.race([this.options.queue.changed(), sleep(Math.max(0, Math.min(250, deadline - Date.now())))]);
    }
    this.stopping = true;
    const client = this.client;
    if (client?.connected) {
      await Promise.race([this.publishStatus('offline', reason), sleep(2000)]);
      await client.endAsync(false).catch(() => undefined);
    }
    // A connect still in progress (broker down, TLS handshake) must not hold the stop for its timeout.
    this.attempt?.end(true);
    this.stopController.abort();
    await this.running;
  }

  private fail(message: string, error: Error): void {
    let text = error.message;
    if (/protocol version/i.test(text) && this.options.protocolVersion === 5) text += ' (the broker does not speak MQTT 5: set mqtt.protocolVersion to 4, e.g. for the local twin)';
    this.stats.lastError = text;
    this.options.logger.warn({ err: text }, message);
  }

  private async run(): Promise<void> {
    const random = this.options.random ?? Math.random;
    let attempt = 0;
    while (!this.stopping) {
      const started = Date.now();
      const healthy = await this.session();
      if (this.stopping) break;
      if (healthy || Date.now() - started >= STABLE_SESSION_MS) attempt = 0;
      const delay = backoffDelay(attempt++, this.options.backoff, random);
      this.options.logger.info({ delayMs: delay, attempt }, 'mqtt: reconnecting after backoff');
      await sleep(delay, undefined, { signal: this.stopController.signal }).catch(() => undefined);
    }
  }

  /** One connection, until it closes. Resolves true when it delivered anything (a healthy session). */
  private session(): Promise<boolean> {
    let client: MqttClient;
    try {
      client = mqtt.connect(connectOptions(this.options, this.options.status('offline', 'connection lost')));
      this.attempt = client;
    } catch (error) {
      this.fail('mqtt: cannot connect', error as Error);
      return Promise.resolve(false);
    }
    let delivered = false;
    let closed = false;
    let wakeSession: () => void = () => undefined;
    const sessionChanged = (): Promise<void> => new Promise((resolve) => { wakeSession = resolve; });

    const deliver = async (): Promise<void> => {
      const { queue, readingsTopic, inFlight: window } = this.options;
      let lastSent = queue.stats().head - 1;
      let inFlight = 0;
      while (!closed && !this.stopping) {
        const entry = inFlight < window ? queue.next(lastSent) : null;
        if (!entry) {
          await Promise.race([queue.changed(), sessionChanged()]);
          continue;
        }
        const payload = await queue.payload(entry.id);
        lastSent = entry.id;
        if (payload === null || closed) continue; // evicted or acknowledged meanwhile
        inFlight++;
        this.stats.published++;
        client.publish(readingsTopic, payload, this.publishOptions, (error) => {
          inFlight--;
          if (!error) {
            delivered = true;
            this.stats.acked++;
            queue.ack(entry.id).catch((ackError: Error) => this.fail('queue checkpoint failed', ackError));
          }
          wakeSession();
        });
      }
    };

    return new Promise((resolve) => {
      client.on('connect', () => {
        this.client = client;
        this.stats.connects++;
        this.options.logger.info({ url: this.options.url, clientId: this.options.clientId }, 'mqtt: connected');
        void this.publishStatus('online');
        deliver().catch((error: Error) => {
          this.fail('delivery stopped', error);
          client.end(true);
        });
      });
      client.on('error', (error) => this.fail('mqtt: connection error', error));
      client.on('close', () => {
        if (closed) return;
        closed = true;
        if (this.client === client) {
          this.client = null;
          if (!this.stopping) this.stats.connectionLosses++;
        }
        wakeSession();
        // Fails the publishes still waiting for a PUBACK: they are resent from the queue next session.
        client.end(true);
        resolve(delivered);
      });
    });
  }
}
