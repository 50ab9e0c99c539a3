// An independent TypeScript implementation of ../shared/design/metering.md, used to compute
// what the named queries must answer on the golden lake. It shares no code with the pipeline
// or the SQL: it reads the ingest lines itself, deduplicates, builds intervals, splits them over
// 15-minute slots in plain arithmetic and labels slots with local time from Intl.
//
// Why 15-minute UTC slots are the local slots: every UTC offset in use is a multiple of 15
// minutes (checked by localTime below), so a local hour, day or tariff band edge is always a
// UTC quarter-hour boundary.

const MINUTE = 60_000;
export const SLOT_MS = 15 * MINUTE;

export interface RefReading {
  siteId: string;
  deviceId: string;
  tsMs: number;
  /** Register in Wh, exact (the lake stores kWh with 3 decimals). */
  energyWh: number;
  voltage: number | null;
  receivedAt: number;
}

/** The readings of `wattlake ingest` lines (every reading of the golden lake is valid). */
export function readingsFromIngestLines(lines: readonly string[]): RefReading[] {
  const out: RefReading[] = [];
  for (const line of lines) {
    const { topic, payload, received_at: receivedAt } = JSON.parse(line) as { topic: string; payload: Record<string, unknown>; received_at: number };
    const [, , siteId, deviceId] = topic.split('/') as [string, string, string, string];
    const readings = Array.isArray(payload.readings) ? (payload.readings as Record<string, unknown>[]) : [payload];
    for (const r of readings) {
      out.push({
        siteId, deviceId,
        tsMs: typeof r.ts === 'number' ? r.ts : Date.parse(r.ts as string),
        energyWh: Math.round((r.energy_import_kwh as number) * 1000),
        voltage: typeof r.voltage_v === 'number' ? r.voltage_v : null,
        receivedAt,
      });
    }
  }
  return out;
}

/** Rule 1: one reading per (device, ts), the first received (ties: smaller register, then site). */
export function dedupe(readings: readonly RefReading[]): RefReading[] {
  const best = new Map<string, RefReading>();
  const before = (a: RefReading, b: RefReading): boolean =>
    a.receivedAt !== b.receivedAt ? a.receivedAt < b.receivedAt : a.energyWh !== b.energyWh ? a.energyWh < b.energyWh : a.siteId < b.siteId;
  for (const r of readings) {
    const key = `${r.deviceId}\u0000${r.tsMs}`;
    const current = best.get(key);
    if (!current || before(r, current)) best.set(key, r);
  }
  return [...best.values()];
}

/** Each device's readings ordered by ts (rule 2). */
export function byDevice(readings: readonly RefReading[]): Map<string, RefReading[]> {
  const devices = new Map<string, RefReading[]>();
  for (const r of readings) {
    const list = devices.get(r.deviceId) ?? [];
    list.push(r);
    devices.set(r.deviceId, list);
  }
  for (const list of devices.values()) list.sort((a, b) => a.tsMs - b.tsMs);
  return devices;
}

export interface RefInterval {
  siteId: string;
  deviceId: string;
  startMs: number;
  endMs: number;
  kwh: number;
}

/** Rule 3: consecutive readings; consumption e2 - e1, or e2 when the register went backwards. */
export function intervals(unique: readonly RefReading[]): RefInterval[] {
  const out: RefInterval[] = [];
  for (const list of byDevice(unique).values()) {
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1]!, list[i]!];
      const wh = b.energyWh < a.energyWh ? b.energyWh : b.energyWh - a.energyWh;
      out.push({ siteId: b.siteId, deviceId: b.deviceId, startMs: a.tsMs, endMs: b.tsMs, kwh: wh / 1000 });
    }
  }
  return out;
}

export interface LocalTime {
  /** YYYY-MM-DD */
  day: string;
  /** YYYY-MM-01 */
  month: string;
  hour: number;
  minute: number;
  /** ISO: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** YYYY-MM-DD HH:MM */
  wallClock: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const localCache = new Map<string, LocalTime>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Wall-clock time of an instant in an IANA zone, from Intl. */
export function localTime(tsMs: number, timezone: string): LocalTime {
  const key = `${timezone}@${tsMs}`;
  const cached = localCache.get(key);
  if (cached) return cached;
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' });
    formats.set(timezone, format);
  }
  const p = Object.fromEntries(format.formatToParts(tsMs).map(({ type, value }) => [type, value]));
  const local: LocalTime = {
    day: `${p.year}-${p.month}-${p.day}`,
    month: `${p.year}-${p.month}-01`,
    hour: Number(p.hour),
    minute: Number(p.minute),
    weekday: WEEKDAYS[p.weekday as string] as number,
    wallClock: `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`,
  };
  const offsetMinutes = (Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), local.hour, local.minute) - (tsMs - (tsMs % MINUTE))) / MINUTE;
  if (offsetMinutes % 15 !== 0) throw new Error(`${timezone} is at UTC${offsetMinutes / 60} at ${new Date(tsMs).toISOString()}: not on the 15-minute grid`);
  localCache.set(key, local);
  return local;
}

export interface RefSlotShare {
  siteId: string;
  deviceId: string;
  interval: RefInterval;
  slotStartMs: number;
  overlapMs: number;
  kwh: number;
  local: LocalTime;
}

/** Rules 4 and 5: each interval split over the 15-minute slots it overlaps, in proportion to time, labelled in local time. */
export function slotShares(all: readonly RefInterval[], timezoneOf: (siteId: string) => string): RefSlotShare[] {
  const out: RefSlotShare[] = [];
  for (const interval of all) {
    const duration = interval.endMs - interval.startMs;
    const timezone = timezoneOf(interval.siteId);
    for (let slot = interval.startMs - (interval.startMs % SLOT_MS); slot < interval.endMs; slot += SLOT_MS) {
      const overlapMs = Math.min(interval.endMs, slot + SLOT_MS) - Math.max(interval.startMs, slot);
      if (overlapMs <= 0) continue;
      out.push({ siteId: interval.siteId, deviceId: interval.deviceId, interval, slotStartMs: slot, overlapMs, kwh: (interval.kwh * overlapMs) / duration, local: localTime(slot, timezone) });
    }
  }
  return out;
}

/** Exact median: the middle value, or the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Sums `value` per key. Keys keep their first-seen order. */
export function sumBy<T>(items: Iterable<T>, key: (item: T) => string, value: (item: T) => number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const item of items) sums.set(key(item), (sums.get(key(item)) ?? 0) + value(item));
  return sums;
}

/** Length of a local day in ms: from its midnight to the next, found by scanning 15-minute instants. */
export function localDayMs(day: string, timezone: string): number {
  const start = (d: string): number => {
    // Local midnight lies within 14 hours of UTC midnight of the same date.
    let t = Date.parse(`${d}T00:00:00Z`) - 14 * 60 * MINUTE;
    while (localTime(t, timezone).day < d) t += SLOT_MS;
    return t;
  };
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 24 * 60 * MINUTE).toISOString().slice(0, 10);
  return start(next) - start(day);
}

/** Everything the tests need, computed once from the ingest lines and the sites' timezones. */
export function meteringReference(lines: readonly string[], timezones: Readonly<Record<string, string>>) {
  const timezoneOf = (siteId: string): string => timezones[siteId] ?? 'UTC';
  const unique = dedupe(readingsFromIngestLines(lines));
  const allIntervals = intervals(unique);
  return { unique, intervals: allIntervals, slots: slotShares(allIntervals, timezoneOf), timezoneOf };
}
export type MeteringReference = ReturnType<typeof meteringReference>;

export interface RefSiteSlot {
  siteId: string;
  slotStartMs: number;
  local: LocalTime;
  kwh: number;
}

/** A site's consumption per 15-minute slot: the sum of its devices' shares (demand = kwh x 4, rule 6). */
export function siteSlots(shares: readonly RefSlotShare[]): RefSiteSlot[] {
  const slots = new Map<string, RefSiteSlot>();
  for (const share of shares) {
    const key = `${share.siteId}@${share.slotStartMs}`;
    const slot = slots.get(key) ?? { siteId: share.siteId, slotStartMs: share.slotStartMs, local: share.local, kwh: 0 };
    slot.kwh += share.kwh;
    slots.set(key, slot);
  }
  return [...slots.values()];
}

/** `a` before `b` by the given string or number fields, like SQL ORDER BY (NULLs last). */
export function byFields<T extends Record<string, unknown>>(...fields: (keyof T)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const field of fields) {
      const [x, y] = [a[field], b[field]];
      if (x === y) continue;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x as number | string) < (y as number | string) ? -1 : 1;
    }
    return 0;
  };
}
