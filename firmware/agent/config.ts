// The agent's config file (JSON), validated once at start: a typo or a missing certificate path
// stops the agent with a message naming the field, instead of failing hours later on a meter
// read or a TLS handshake. Relative paths are resolved against the config file's folder.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DAY_MS, isValidId } from '../../pipeline/schema/ids.ts';


const id = (what: string) => z.string().refine(isValidId, { message: `${what} must be 1-64 characters of A-Z a-z 0-9 _ . : - starting with a letter or digit` });
const port = z.number().int().min(1).max(65_535);
const positiveInt = z.number().int().positive();

const modbusCommon = {
  model: z.enum(['sdm630', 'sdm120']),
  unitId: z.number().int().min(1).max(247).default(1),
  timeoutMs: positiveInt.max(60_000).default(1000),
};

const meterSchema = z.discriminatedUnion('driver', [
  z.object({ driver: z.literal('modbus-tcp'), host: z.string().min(1), port: port.default(502), ...modbusCommon }).strict(),
  z.object({
    driver: z.literal('modbus-rtu'), path: z.string().min(1), baudRate: positiveInt.default(9600),
    parity: z.enum(['none', 'even', 'odd']).default('none'), dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1), ...modbusCommon,
  }).strict(),
  z.object({
    driver: z.literal('obis'), protocol: z.enum(['sml', 'd0']),
    transport: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('serial'), path: z.string().min(1), baudRate: positiveInt.optional() }).strict(),
      z.object({ kind: z.literal('tcp'), host: z.string().min(1), port }).strict(),
      z.object({ kind: z.literal('file'), path: z.string().min(1) }).strict(),
    ]),
    maxAgeMs: positiveInt.default(30_000),
    requestIntervalSeconds: z.number().min(0).default(1),
  }).strict(),
  z.object({
    driver: z.literal('simulated'), profile: z.enum(['household', 'commercial']).default('household'),
    seed: z.number().int().default(1), startRegisterKwh: z.number().min(0).optional(),
  }).strict(),
]);

export const agentConfigSchema = z.object({
  deviceId: id('deviceId'),
  siteId: id('siteId'),
  meter: meterSchema,
  sampling: z.object({
    intervalMs: positiveInt.min(100).refine((ms) => DAY_MS % ms === 0, { message: 'intervalMs must divide a day (e.g. 1000, 15000, 60000, 900000), so ticks fall on the same clock times every day' }).default(15_000),
    /** Ticks at multiples of intervalMs plus this offset (e.g. 0 = on the quarter for 15 s). */
    offsetMs: z.number().int().min(0).default(0),
    readTimeoutMs: positiveInt.optional(),
  }).strict().default({ intervalMs: 15_000, offsetMs: 0 }),
  batch: z.object({
    maxReadings: positiveInt.max(500).default(20),
    maxAgeMs: positiveInt.default(60_000),
  }).strict().default({ maxReadings: 20, maxAgeMs: 60_000 }),
  queue: z.object({
    /** Default: $STATE_DIRECTORY (systemd's StateDirectory=). */
    dir: z.string().min(1).optional(),
    maxBytes: positiveInt.min(4096).default(64 * 1024 * 1024),
    segmentBytes: positiveInt.min(1024).default(1024 * 1024),
  }).strict().refine((q) => q.maxBytes >= 2 * q.segmentBytes, { message: 'maxBytes must be at least 2 x segmentBytes (the oldest segment is evicted whole)' })
    .default({ maxBytes: 64 * 1024 * 1024, segmentBytes: 1024 * 1024 }),
  mqtt: z.object({
    url: z.string().regex(/^mqtts:\/\/[^/:]+(:\d+)?\/?$/, { message: 'url must be mqtts://host[:port] (TLS with the device certificate is required)' }),
    ca: z.string().min(1),
    cert: z.string().min(1),
    key: z.string().min(1),
    /** 5 for AWS IoT Core; the local twin (aedes) speaks 3.1.1 only, so 4 there. */
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(5),
    keepaliveSeconds: positiveInt.max(1200).default(60),
    /** Unacknowledged messages at a time (PUBACK window); delivery order is kept either way. */
    inFlight: positiveInt.max(100).default(4),
    backoff: z.object({ initialMs: positiveInt.default(1000), maxMs: positiveInt.default(120_000) }).strict()
      .refine((b) => b.maxMs >= b.initialMs, { message: 'backoff.maxMs must be >= backoff.initialMs' })
      .default({ initialMs: 1000, maxMs: 120_000 }),
  }).strict(),
  status: z.object({ intervalMs: positiveInt.min(1000).default(300_000) }).strict().default({ intervalMs: 300_000 }),
  clock: z.object({
    /** A clock before this is certainly wrong (a Pi without RTC boots at its last saved time or 1970): no samples until it is past. */
    notBefore: z.iso.datetime({ offset: true }).default('2025-01-01T00:00:00Z'),
    /** File that exists while the clock is NTP-synchronized (systemd-timesyncd); null = no such check. */
    syncMarker: z.string().min(1).nullable().default('/run/systemd/timesync/synchronized'),
  }).strict().default({ notBefore: '2025-01-01T00:00:00Z', syncMarker: '/run/systemd/timesync/synchronized' }),
}).strict();

export type AgentConfig = z.output<typeof agentConfigSchema> & { queue: { dir: string } };
export type MeterConfig = z.output<typeof meterSchema>;

export class ConfigError extends Error {}

/** Validates a parsed config; paths relative to `baseDir`. Throws ConfigError listing every problem. */
export function parseAgentConfig(raw: unknown, { baseDir, env = process.env, source = 'config' }: { baseDir: string; env?: NodeJS.ProcessEnv; source?: string }): AgentConfig {
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
    throw new ConfigError(`${source} is invalid:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  const queueDir = config.queue.dir ?? env.STATE_DIRECTORY?.split(':')[0];
  if (!queueDir) throw new ConfigError(`${source} is invalid:\n  queue.dir: required when $STATE_DIRECTORY is not set (systemd sets it from StateDirectory=)`);
  const resolvePath = (p: string): string => path.resolve(baseDir, p);
  const meter = config.meter.driver === 'obis' && config.meter.transport.kind !== 'tcp'
    ? { ...config.meter, transport: { ...config.meter.transport, path: resolvePath(config.meter.transport.path) } }
    : config.meter;
  return {
    ...config,
    meter,
    queue: { ...config.queue, dir: resolvePath(queueDir) },
    mqtt: { ...config.mqtt, ca: resolvePath(config.mqtt.ca), cert: resolvePath(config.mqtt.cert), key: resolvePath(config.mqtt.key) },
    clock: { ...config.clock, syncMarker: config.clock.syncMarker === null ? null : resolvePath(config.clock.syncMarker) },
  };
}

/** Reads and validates a config file. */
export async function loadAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config ${file} is not JSON: ${(error as Error).message}`);
  }
  return parseAgentConfig(raw, { baseDir: path.dirname(path.resolve(file)), env, source: `config ${file}` });
}
