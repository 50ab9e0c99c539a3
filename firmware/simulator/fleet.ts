// A simulated fleet: many meters read on the same clock, each publishing a batch message on
// its contract topic whenever it has collected `batchSize` readings. Pure and lazy: the
// generator yields messages in publish order and holds only one open batch per device.
import { parseTimestamp } from '../../pipeline/decode/timestamp.ts';
import type { LoadProfile } from './load-shapes.ts';
import { createMeter, type Reading, type TsFormat } from './meter-model.ts';
import { createRandom } from './random.ts';

/** `mixed`: even-numbered devices send ISO strings, the others epoch milliseconds (both are contract-valid). */
export type FleetTsFormat = TsFormat | 'mixed';

export interface FleetDevice {
  deviceId: string;
  siteId: string;
  profile: LoadProfile;
  timezone: string;
  tsFormat: TsFormat;
}

export interface FleetLayout {
  devices: number;
  sites: number;
  /** Share of commercial meters, spread evenly through the fleet (the rest are households). */
  commercialShare?: number;
  /** Site timezones, assigned to sites in turn. */
  timezones?: readonly string[];
  tsFormat?: FleetTsFormat;
}

export interface FleetOptions extends FleetLayout {
  /** First reading time (epoch ms, or ISO-8601 with offset). */
  start: number | string;
  /** End of the period, exclusive. */
  end: number | string;
  cadenceMs: number;
  batchSize: number;
  seed: number;
  resetProbability?: number;
}

/** The contract's batch payload. */
export interface ReadingsPayload {
  device_id: string;
  seq: number;
  readings: Reading[];
}

export interface FleetMessage {
  topic: string;
  payload: ReadingsPayload;
  /** Epoch ms of the batch's last reading: the earliest moment the device can publish it. */
  readyAt: number;
}

/** The contract's data topic of a device. */
export const readingsTopic = (siteId: string, deviceId: string): string => `dt/energy/${siteId}/${deviceId}/readings`;

const numbered = (prefix: string, n: number, minDigits: number, count: number): string =>
  `${prefix}-${String(n).padStart(Math.max(minDigits, String(count).length), '0')}`;

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Device ids `meter-0001…`, sites `site-01…` in contiguous blocks (a site is a building with
 * a few meters), profiles and timestamp formats assigned deterministically.
 */
export function fleetDevices({ devices, sites, commercialShare = 0.2, timezones = ['UTC'], tsFormat = 'iso' }: FleetLayout): FleetDevice[] {
  positiveInteger('devices', devices);
  positiveInteger('sites', sites);
  if (!(commercialShare >= 0 && commercialShare <= 1)) throw new RangeError(`commercialShare ${commercialShare} is not in [0, 1]`);
  if (timezones.length === 0) throw new RangeError('timezones must not be empty');
  return Array.from({ length: devices }, (_, i) => {
    const site = Math.floor((i * sites) / devices);
    // Every 1/share-th device is commercial, so any prefix of the fleet has the right mix.
    const commercial = Math.floor((i + 1) * commercialShare) > Math.floor(i * commercialShare);
    return {
      deviceId: numbered('meter', i + 1, 4, devices),
      siteId: numbered('site', site + 1, 2, sites),
      profile: commercial ? 'commercial' : 'household',
      timezone: timezones[site % timezones.length] as string,
      tsFormat: tsFormat === 'mixed' ? (i % 2 === 0 ? 'iso' : 'epoch-ms') : tsFormat,
    };
  });
}

function toEpochMs(name: string, value: number | string): number {
  const ms = typeof value === 'number' ? value : parseTimestamp(value);
  if (ms === null || !Number.isSafeInteger(ms)) throw new RangeError(`${name} ${JSON.stringify(value)} is not epoch ms or ISO-8601 with offset`);
  return ms;
}

/**
 * Readings every `cadenceMs` from `start` (inclusive) to `end` (exclusive) for every device,
 * as batch messages in publish order. Devices start with a partly filled batch (as if they
 * had booted at different times), so their publishes are spread out instead of all landing
 * on the same tick; the last, partial batch of each device is flushed at the end.
 */
export function* generateFleetMessages(options: FleetOptions): Generator<FleetMessage> {
  const { seed, resetProbability = 0 } = options;
  const start = toEpochMs('start', options.start);
  const end = toEpochMs('end', options.end);
  const cadenceMs = positiveInteger('cadenceMs', options.cadenceMs);
  const batchSize = positiveInteger('batchSize', options.batchSize);

  const devices = fleetDevices(options).map((device) => {
    const random = createRandom(seed, `fleet:${device.deviceId}`);
    return {
      topic: readingsTopic(device.siteId, device.deviceId),
      deviceId: device.deviceId,
      meter: createMeter({ ...device, seed, resetProbability }),
      seq: Math.floor(random.range(0, 100_000)),
      readings: [] as Reading[],
      due: batchSize - Math.floor(random.range(0, batchSize)),
    };
  });

  const message = (device: (typeof devices)[number], readyAt: number): FleetMessage => {
    const result = { topic: device.topic, payload: { device_id: device.deviceId, seq: device.seq, readings: device.readings }, readyAt };
    device.seq += 1;
    device.readings = [];
    device.due = batchSize;
    return result;
  };

  let lastTs = start;
  for (let ts = start; ts < end; ts += cadenceMs) {
    for (const device of devices) {
      device.readings.push(device.meter.readAt(ts));
      if (device.readings.length === device.due) yield message(device, ts);
    }
    lastTs = ts;
  }
  for (const device of devices) {
    if (device.readings.length > 0) yield message(device, lastTs);
  }
}
