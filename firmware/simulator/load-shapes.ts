// Demand (kW) of a simulated meter as a function of time: a daily shape per profile in the
// site's local time, times seasonality (northern hemisphere: winter peak in mid-January),
// times a per-device scale, times smooth noise. Everything is a pure function of the
// timestamp, so the meter's register does not depend on how often it is read.
import { deriveSeed, type Random, valueNoise } from './random.ts';

export type LoadProfile = 'household' | 'commercial';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Spacing of the fast demand-noise knots; integrating over these points is exact for the noise. */
export const DEMAND_KNOT_MS = 5 * MINUTE_MS;

// --- local time -----------------------------------------------------------------------------

/**
 * UTC offsets are looked up once per 15-minute bucket: Intl is slow (microseconds per call)
 * and every offset change in the tz database falls on a quarter hour of UTC.
 */
const OFFSET_BUCKET_MS = 15 * MINUTE_MS;
const MAX_CACHED_BUCKETS = 100_000;

interface ZoneCache {
  format: Intl.DateTimeFormat;
  offsets: Map<number, number>;
}
const zoneCaches = new Map<string, ZoneCache>();

function zoneCache(timezone: string): ZoneCache {
  let cache = zoneCaches.get(timezone);
  if (!cache) {
    // Throws a RangeError for an unknown timezone, which is what a caller should see.
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    cache = { format, offsets: new Map() };
    zoneCaches.set(timezone, cache);
  }
  return cache;
}

function offsetFromIntl(format: Intl.DateTimeFormat, tsMs: number): number {
  const part: Record<string, number> = {};
  for (const { type, value } of format.formatToParts(tsMs)) part[type] = Number(value);
  const wallClockAsUtc = Date.UTC(part.year as number, (part.month as number) - 1, part.day, part.hour, part.minute, part.second);
  return wallClockAsUtc - Math.floor(tsMs / 1000) * 1000;
}

/** The timezone's UTC offset (ms, local minus UTC) at `tsMs`. Throws RangeError for an unknown zone. */
export function utcOffsetMs(tsMs: number, timezone = 'UTC'): number {
  if (timezone === 'UTC') return 0;
  const cache = zoneCache(timezone);
  const bucket = Math.floor(tsMs / OFFSET_BUCKET_MS);
  let offset = cache.offsets.get(bucket);
  if (offset === undefined) {
    if (cache.offsets.size >= MAX_CACHED_BUCKETS) cache.offsets.clear();
    offset = offsetFromIntl(cache.format, bucket * OFFSET_BUCKET_MS);
    cache.offsets.set(bucket, offset);
  }
  return offset;
}

export interface LocalTime {
  /** Hour of the local day with fraction, [0, 24). */
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** 1 = 1 January. */
  dayOfYear: number;
}

// One-entry cache: a fleet evaluates many devices on the same local day in a row.
let cachedDay = Number.NaN;
let cachedDayOfYear = 1;

function dayOfYear(localDay: number): number {
  if (localDay !== cachedDay) {
    const year = new Date(localDay * DAY_MS).getUTCFullYear();
    cachedDayOfYear = localDay - Date.UTC(year, 0, 1) / DAY_MS + 1;
    cachedDay = localDay;
  }
  return cachedDayOfYear;
}

/** Local wall-clock hour, weekday and day of year of an instant in `timezone`. */
export function localTime(tsMs: number, timezone = 'UTC'): LocalTime {
  const local = tsMs + utcOffsetMs(tsMs, timezone);
  const day = Math.floor(local / DAY_MS);
  return {
    hour: (local - day * DAY_MS) / HOUR_MS,
    weekday: (((day + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    dayOfYear: dayOfYear(day),
  };
}

// --- daily shapes ---------------------------------------------------------------------------

/** Gaussian bump around `centre` (hours), on a 24 h circle so late evenings wrap to the night. */
function bump(hour: number, centre: number, width: number): number {
  let distance = Math.abs(hour - centre);
  if (distance > 12) distance = 24 - distance;
  const z = distance / width;
  return Math.exp(-0.5 * z * z);
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** Per-device habits: when the household gets up and cooks, in hours relative to the typical times. */
export interface ShapeShifts {
  morningShiftH: number;
  eveningShiftH: number;
}

/**
 * Household, in units of the device scale (kW for a scale of 1): ~0.2 night baseload (fridge,
 * standby), a morning peak (07:00 weekdays, later and broader at weekends), little during
 * working hours on weekdays, and the main peak in the evening (cooking, lights, laundry).
 */
function householdShape(hour: number, weekend: boolean, { morningShiftH, eveningShiftH }: ShapeShifts): number {
  if (weekend) {
    return 0.2 + 0.9 * bump(hour, 9 + morningShiftH, 1.2) + 0.35 * bump(hour, 13, 2) + 1.0 * bump(hour, 18.5 + eveningShiftH, 1.6);
  }
  const daytime = 0.1 * logistic((hour - 9) / 0.5) * logistic((16.5 - hour) / 0.5);
  return 0.2 + 0.8 * bump(hour, 7 + morningShiftH, 0.8) + daytime + 1.0 * bump(hour, 19 + eveningShiftH, 1.5);
}

/**
 * Commercial (office/shop), in units of the weekday peak: a 0.2 baseload (servers, fridges,
 * ventilation) and business hours ~07:30–18:30 on weekdays with a small lunch dip; weekends
 * stay near the baseload.
 */
function commercialShape(hour: number, weekend: boolean, { morningShiftH, eveningShiftH }: ShapeShifts): number {
  if (weekend) return 0.2 + 0.06 * bump(hour, 12, 3);
  const open = logistic((hour - 7.5 - morningShiftH) / 0.35) * logistic((18.3 + eveningShiftH - hour) / 0.45);
  return 0.2 + 0.8 * open * (1 - 0.08 * bump(hour, 12.5, 0.6));
}

/** The noise-free daily shape of a profile at a local hour (units of the device scale). */
export function dailyShape(profile: LoadProfile, hour: number, weekday: number, shifts: ShapeShifts = { morningShiftH: 0, eveningShiftH: 0 }): number {
  const weekend = weekday === 0 || weekday === 6;
  return profile === 'household' ? householdShape(hour, weekend, shifts) : commercialShape(hour, weekend, shifts);
}

/**
 * Seasonal multiplier by day of year: heating and lighting lift winter; commercial buildings
 * swing less, and summer cooling adds a second, smaller hump.
 */
export function seasonalFactor(profile: LoadProfile, dayOfYear: number): number {
  const angle = (2 * Math.PI * (dayOfYear - 15)) / 365.25;
  return profile === 'household' ? 1 + 0.3 * Math.cos(angle) : 1 + 0.12 * Math.cos(angle) + 0.05 * Math.cos(2 * angle);
}

// --- per-device demand ----------------------------------------------------------------------

export interface DemandParams extends ShapeShifts {
  profile: LoadProfile;
  /** kW per unit of the daily shape: ~0.4–2.5 for a household, the weekday peak kW for commercial. */
  scaleKw: number;
  timezone: string;
  /** Seed of this device's noise. */
  noiseSeed: number;
}

/** Draw one device's scale and habits. */
export function drawDemandTraits(profile: LoadProfile, random: Random): Pick<DemandParams, 'scaleKw' | 'morningShiftH' | 'eveningShiftH'> {
  if (profile === 'household') {
    return {
      scaleKw: Math.min(2.5, Math.max(0.4, Math.exp(random.normal(0, 0.35)))),
      morningShiftH: random.normal(0, 0.5),
      eveningShiftH: random.normal(0, 0.4),
    };
  }
  return {
    scaleKw: Math.exp(random.range(Math.log(8), Math.log(80))),
    morningShiftH: random.normal(0, 0.25),
    eveningShiftH: random.normal(0, 0.4),
  };
}

/** Relative noise: fast (5-minute knots: appliances switching) and slow (hourly: occupancy, weather). */
const NOISE: Record<LoadProfile, { fast: number; slow: number }> = {
  household: { fast: 0.25, slow: 0.2 },
  commercial: { fast: 0.05, slow: 0.04 },
};
/** Demand never drops below this share of the shape: the baseload does not switch off. */
const MIN_NOISE_FACTOR = 0.15;

export type DemandCurve = (tsMs: number) => number;

/** A device's demand in kW at any instant. */
export function createDemandCurve(params: DemandParams): DemandCurve {
  const { profile, scaleKw, timezone, noiseSeed } = params;
  const shifts: ShapeShifts = { morningShiftH: params.morningShiftH, eveningShiftH: params.eveningShiftH };
  const { fast, slow } = NOISE[profile];
  const slowSeed = deriveSeed(noiseSeed, 'slow');
  utcOffsetMs(0, timezone); // fail now, not at the first reading, on an unknown timezone
  return (tsMs) => {
    const { hour, weekday, dayOfYear } = localTime(tsMs, timezone);
    const noise = 1 + fast * valueNoise(noiseSeed, tsMs, DEMAND_KNOT_MS) + slow * valueNoise(slowSeed, tsMs, HOUR_MS);
    return scaleKw * dailyShape(profile, hour, weekday, shifts) * seasonalFactor(profile, dayOfYear) * Math.max(MIN_NOISE_FACTOR, noise);
  };
}
