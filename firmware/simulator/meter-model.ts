// A simulated smart meter: integrates its device's demand curve into a cumulative import
// register and reports electrical values at the meter's resolution, with the contract's
// reading field names. Pure and deterministic: the same options and the same timestamps
// give the same readings.
import { isValidId } from '../../pipeline/schema/ids.ts';
import type { NormalizedReading } from '../../pipeline/schema/readings.ts';
import { createDemandCurve, DEMAND_KNOT_MS, drawDemandTraits, type DemandCurve, type LoadProfile } from './load-shapes.ts';
import { createRandom, deriveSeed, normalAt, uniformAt, valueNoise } from './random.ts';

type MeasuredField = 'energy_import_kwh' | 'power_w' | 'voltage_v' | 'current_a' | 'power_factor' | 'frequency_hz';

/** How a reading's `ts` is written: both forms are valid in the contract. */
export type TsFormat = 'iso' | 'epoch-ms';

/** One reading as a device sends it inside a batch payload. */
export type Reading = { ts: string | number } & Required<Pick<NormalizedReading, MeasuredField>>;

export interface MeterOptions {
  deviceId: string;
  siteId: string;
  profile: LoadProfile;
  /** Fleet seed; the device's own randomness is derived from (seed, deviceId). */
  seed: number;
  /** IANA timezone of the site: daily shapes follow local time. */
  timezone?: string;
  /** Register value at the first reading; drawn per device when omitted. */
  startRegisterKwh?: number;
  /** Chance per reading that the register was reset (or the meter swapped) since the last one. */
  resetProbability?: number;
  tsFormat?: TsFormat;
}

export interface Meter {
  readonly deviceId: string;
  readonly siteId: string;
  readonly profile: LoadProfile;
  readonly timezone: string;
  /** The true demand (kW) at an instant: what the register integrates. */
  demandKwAt(tsMs: number): number;
  /** Read the meter at `tsMs`, which must be later than the previous reading. */
  readAt(tsMs: number): Reading;
  /** Timestamps (epoch ms) of the readings at which the register had restarted from zero. */
  readonly resets: readonly number[];
}

const HOUR_MS = 3_600_000;
const NOMINAL_VOLTAGE = 230;
/** EN 50160: supply voltage within ±10 % of nominal. */
const VOLTAGE_MIN = 207;
const VOLTAGE_MAX = 253;

// Multiply-round-divide (not `round(v / step) * step`) so values keep their shortest decimal form.
const round3 = (value: number): number => Math.round(value * 1000) / 1000;
const round2 = (value: number): number => Math.round(value * 100) / 100;
const round1 = (value: number): number => Math.round(value * 10) / 10;
const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** Decimal places of each reported field: the meter's resolution (0.001 kWh, 0.1 W, 0.1 V, …). */
export const METER_DECIMALS: Readonly<Record<MeasuredField, number>> = {
  energy_import_kwh: 3,
  power_w: 1,
  voltage_v: 1,
  current_a: 3,
  power_factor: 3,
  frequency_hz: 2,
};

// A fleet reads every meter at the same instant, so one cached string serves them all.
let cachedIsoMs = Number.NaN;
let cachedIso = '';

/** ISO-8601 in UTC with `Z`, without a `.000` when the reading is on a whole second (as firmware writes it). */
export function formatTs(tsMs: number, format: TsFormat): string | number {
  if (format === 'epoch-ms') return tsMs;
  if (tsMs !== cachedIsoMs) {
    const iso = new Date(tsMs).toISOString();
    cachedIso = tsMs % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso;
    cachedIsoMs = tsMs;
  }
  return cachedIso;
}

/**
 * Energy (kWh) over (fromMs, toMs]: Simpson's rule on each stretch between the noise knots.
 * Demand there is a smooth shape times linear noise, which Simpson integrates almost exactly,
 * so the register does not depend on where (or how often) readings fall.
 */
function integrateKwh(demand: DemandCurve, fromMs: number, fromKw: number, toMs: number, toKw: number): number {
  let sum = 0;
  let t = fromMs;
  let kw = fromKw;
  for (let knot = (Math.floor(fromMs / DEMAND_KNOT_MS) + 1) * DEMAND_KNOT_MS; knot < toMs; knot += DEMAND_KNOT_MS) {
    const knotKw = demand(knot);
    sum += simpson(demand, t, kw, knot, knotKw);
    t = knot;
    kw = knotKw;
  }
  return (sum + simpson(demand, t, kw, toMs, toKw)) / HOUR_MS;
}

/** kW·ms over [a, b]. */
function simpson(demand: DemandCurve, a: number, aKw: number, b: number, bKw: number): number {
  return ((aKw + 4 * demand((a + b) / 2) + bKw) * (b - a)) / 6;
}

export function createMeter(options: MeterOptions): Meter {
  const { deviceId, siteId, profile, seed, timezone = 'UTC', resetProbability = 0, tsFormat = 'iso' } = options;
  if (!isValidId(deviceId)) throw new RangeError(`invalid device_id ${JSON.stringify(deviceId)}`);
  if (!isValidId(siteId)) throw new RangeError(`invalid site_id ${JSON.stringify(siteId)}`);
  if (!(resetProbability >= 0 && resetProbability <= 1)) throw new RangeError(`resetProbability ${resetProbability} is not in [0, 1]`);

  // Fixed traits, drawn once in a fixed order so that they depend on (seed, deviceId) only.
  const random = createRandom(seed, `meter:${deviceId}`);
  const traits = drawDemandTraits(profile, random);
  const household = profile === 'household';
  const phases = household ? 1 : 3;
  const voltageOffset = clamp(random.normal(0, 2), -6, 6);
  /** Volts lost per kW drawn: a house on a long service cable sags more than a commercial feed. */
  const voltageDropPerKw = household ? 0.4 : 0.05;
  const powerFactorBase = household ? random.range(0.95, 0.99) : random.range(0.88, 0.96);
  const drawnStart = household ? random.range(300, 30_000) : random.range(5_000, 400_000);
  const startRegisterKwh = options.startRegisterKwh ?? drawnStart;
  if (!(Number.isFinite(startRegisterKwh) && startRegisterKwh >= 0)) throw new RangeError(`startRegisterKwh ${startRegisterKwh} is not a finite number >= 0`);

  const deviceSeed = deriveSeed(seed, `meter:${deviceId}`);
  const demandKwAt = createDemandCurve({ profile, timezone, noiseSeed: deriveSeed(deviceSeed, 'demand'), ...traits });
  // Voltage wanders together for all meters on a site (same feeder); frequency for the whole grid.
  const siteVoltageSeed = deriveSeed(seed, `site-voltage:${siteId}`);
  const gridFrequencySeed = deriveSeed(seed, 'grid-frequency');
  const [voltageSeed, powerFactorSeed, frequencySeed, resetSeed, resetAtSeed] =
    ['voltage', 'power-factor', 'frequency', 'reset', 'reset-at'].map((key) => deriveSeed(deviceSeed, key)) as [number, number, number, number, number];

  let registerKwh = startRegisterKwh;
  let lastTs: number | null = null;
  let lastKw = 0;
  const resets: number[] = [];

  function readAt(tsMs: number): Reading {
    if (!Number.isSafeInteger(tsMs)) throw new RangeError(`ts ${tsMs} is not an integer epoch-ms value`);
    if (lastTs !== null && tsMs <= lastTs) throw new RangeError(`ts ${tsMs} is not after the previous reading ${lastTs}`);
    const kw = demandKwAt(tsMs);
    if (lastTs !== null) {
      if (resetProbability > 0 && uniformAt(resetSeed, tsMs) < resetProbability) {
        // The register restarted at some instant in the interval and has counted since then.
        const resetAt = lastTs + Math.floor(uniformAt(resetAtSeed, tsMs) * (tsMs - lastTs));
        registerKwh = integrateKwh(demandKwAt, resetAt, demandKwAt(resetAt), tsMs, kw);
        resets.push(tsMs);
      } else {
        registerKwh += integrateKwh(demandKwAt, lastTs, lastKw, tsMs, kw);
      }
    }
    lastTs = tsMs;
    lastKw = kw;

    const voltage = clamp(
      NOMINAL_VOLTAGE + voltageOffset + 1.5 * valueNoise(siteVoltageSeed, tsMs, 10 * 60_000)
        + 0.3 * normalAt(voltageSeed, tsMs) - voltageDropPerKw * kw,
      VOLTAGE_MIN, VOLTAGE_MAX);
    // Light loads (standby electronics, idle motors) have the poorest power factor.
    const powerFactor = clamp(powerFactorBase - 0.1 * Math.exp(-kw / (0.3 * traits.scaleKw)) + 0.004 * normalAt(powerFactorSeed, tsMs), 0.5, 1);
    const frequency = clamp(50 + 0.035 * valueNoise(gridFrequencySeed, tsMs, 60_000) + 0.002 * normalAt(frequencySeed, tsMs), 49.8, 50.2);
    const powerW = kw * 1000;
    return {
      ts: formatTs(tsMs, tsFormat),
      energy_import_kwh: round3(registerKwh),
      power_w: round1(powerW),
      voltage_v: round1(voltage),
      current_a: round3(powerW / (phases * voltage * powerFactor)),
      power_factor: round3(powerFactor),
      frequency_hz: round2(frequency),
    };
  }

  return { deviceId, siteId, profile, timezone, demandKwAt, readAt, resets };
}
