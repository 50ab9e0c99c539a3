// The golden lake of the named-query tests: crafted meter data that exercises every metering
// rule (../shared/design/metering.md), generated deterministically as `wattlake ingest` lines and
// built through the real ingest path (rule -> transform -> converter), never by writing Parquet.
//
// What it holds, on purpose:
// - two sites in different timezones (site-sto Europe/Stockholm, site-nyc America/New_York) and
//   a site missing from `sites` (site-lab: UTC);
// - dense 15-minute (and 10-minute) data over both DST transitions of each zone in 2026
//   (Stockholm 29 March and 25 October, New York 8 March and 1 November);
// - readings on slot boundaries (sto-main, nyc-main in autumn) and off them (sto-heat every
//   10 minutes, nyc-main at :05/:20/:35/:50 in spring, hand-made readings at odd times);
// - a register reset (sto-main, sto-hand-m) and a meter replacement (sto-heat: jumps back to
//   0.025 kWh and counts on);
// - duplicates (QoS 1 redelivery of whole messages, readings sent again in a re-cut batch, and a
//   later copy with a different register value, which must lose to the first received);
// - out-of-order arrival (batches delayed by hours, one by six days into an old partition);
// - missed readings (sto-main, 27 March: 2 and 3 median intervals are no gap, 4 are);
// - gaps: across local midnight (sto-heat, the hand-made devices), across months (sto-heat and
//   nyc-main have no data between spring and autumn: more than Trino's 10,000-slot sequence);
// - a sparse backbone for sto-main (a reading every 9 days) from September 2025 to November
//   2026 (month-over-month and year-over-year), six weeks of hourly nyc-main data with one anomalous day (10 February),
//   and voltages outside 230 V +-10 % including readings exactly on the limits.
// Hand-made devices (sto-hand-m, sto-hand-o, nyc-hand-m, nyc-hand-n, lab-1) have round numbers
// whose daily answers are worked out by hand in the tests (HAND_DAYS below).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { readingsTopic } from '../../firmware/simulator/fleet.ts';
import { utcOffsetMs } from '../../firmware/simulator/load-shapes.ts';
import { createMeter, type Reading } from '../../firmware/simulator/meter-model.ts';
import { ingestLines } from '../../infra/local/ingest.ts';
import { openDuckDb } from '../../pipeline/query/duckdb.ts';
import { installReferenceTable } from '../../pipeline/reference/install.ts';
import { REFERENCE_TABLE_NAMES } from '../../pipeline/schema/reference.ts';
import { runNamedQuery } from '../../pipeline/query/lake-sql.ts';
import type { PlainRow } from '../../pipeline/query/rows.ts';
import { FolderStore } from '../../pipeline/storage/folder-store.ts';
import { meteringReference, type MeteringReference } from './metering-reference.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (iso: string): number => Date.parse(iso);

/** Site timezones for the simulated demand curves (the queries read them from sites.csv). */
const SIMULATED_TIMEZONES: Readonly<Record<string, string>> = { 'site-sto': 'Europe/Stockholm', 'site-nyc': 'America/New_York' };
const REFERENCE_FIXTURES = new URL('../fixtures/reference/', import.meta.url);

/** Daily kWh of the hand-made devices, worked out by hand from the readings below (see the comments there). */
export const HAND_DAYS: readonly { device: string; day: string; kwh: number; hours: number }[] = [
  { device: 'sto-hand-m', day: '2026-03-28', kwh: 13, hours: 24 },
  { device: 'sto-hand-m', day: '2026-03-29', kwh: 12, hours: 23 },
  { device: 'sto-hand-o', day: '2026-10-25', kwh: 28.5, hours: 25 },
  { device: 'nyc-hand-m', day: '2026-03-07', kwh: 12, hours: 24 },
  { device: 'nyc-hand-m', day: '2026-03-08', kwh: 25, hours: 23 },
  { device: 'nyc-hand-n', day: '2026-11-01', kwh: 25, hours: 25 },
  { device: 'lab-1', day: '2026-03-07', kwh: 4, hours: 24 },
  { device: 'lab-1', day: '2026-03-08', kwh: 4, hours: 24 },
];

interface PlannedReading {
  tsMs: number;
  reading: Reading;
}

interface Message {
  topic: string;
  payload: unknown;
  receivedAt: number;
  /** Redelivered after Firehose flushed the original: lands in another file, deduplicated only at query time. */
  lateCopy?: boolean;
}

type TsStyle = 'z' | 'offset' | 'epoch';

/** `ts` as a device might send it: UTC ISO, ISO with the local offset, or epoch milliseconds. */
function formatTs(tsMs: number, style: TsStyle, timezone: string): string | number {
  if (style === 'epoch') return tsMs;
  if (style === 'z') return new Date(tsMs).toISOString();
  const offset = utcOffsetMs(tsMs, timezone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / MINUTE;
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${new Date(tsMs + offset).toISOString().slice(0, 23)}${sign}${hhmm}`;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

function range(fromMs: number, toMs: number, stepMs: number, offsetMs = 0): number[] {
  const out: number[] = [];
  for (let t = fromMs + offsetMs; t < toMs; t += stepMs) out.push(t);
  return out;
}

interface SimulatedDevice {
  deviceId: string;
  siteId: string;
  profile: 'household' | 'commercial';
  timestamps: number[];
  /** Register events at the first reading at or after the instant. */
  restarts?: { atMs: number; kind: 'reset' | 'replacement' }[];
  /** Extra energy (kWh) added to the register by an instant: a monotone ramp. */
  extraKwh?: (tsMs: number) => number;
  voltages?: Record<number, number>;
}

/** Reads a simulator meter at each instant, then applies the crafted register events and voltages. */
function simulate({ deviceId, siteId, profile, timestamps, restarts = [], extraKwh = () => 0, voltages = {} }: SimulatedDevice): PlannedReading[] {
  const meter = createMeter({ deviceId, siteId, profile, seed: 20260329, timezone: SIMULATED_TIMEZONES[siteId] ?? 'UTC' });
  const sorted = [...new Set(timestamps)].sort((a, b) => a - b);
  const raw = sorted.map((tsMs) => ({ tsMs, reading: meter.readAt(tsMs) }));
  const energy = raw.map(({ tsMs, reading }) => round3(reading.energy_import_kwh + extraKwh(tsMs)));
  let offset = 0;
  return raw.map(({ tsMs, reading }, i) => {
    const restart = restarts.find((r) => r.atMs <= tsMs && (i === 0 || raw[i - 1]!.tsMs < r.atMs));
    if (restart && i > 0) {
      const previous = energy[i - 1]!;
      // Reset: the register restarted mid-interval and counted half of it. Replacement: a new meter at 0.025 kWh.
      offset = restart.kind === 'reset' ? round3(previous + (energy[i]! - previous) / 2) : round3(energy[i]! - 0.025);
    }
    const voltage = voltages[tsMs];
    return { tsMs, reading: { ...reading, energy_import_kwh: round3(energy[i]! - offset), ...(voltage === undefined ? {} : { voltage_v: voltage }) } };
  });
}

/** A hand-made device: (ISO instant, register) pairs, each sent on its own. */
function handMade(values: [string, number][]): PlannedReading[] {
  return values.map(([iso, kwh]) => ({ tsMs: at(iso), reading: { ts: iso, energy_import_kwh: kwh } as Reading }));
}

function batches(siteId: string, deviceId: string, readings: PlannedReading[], size: number, style: (index: number) => TsStyle, seq0: number): Message[] {
  const timezone = SIMULATED_TIMEZONES[siteId] ?? 'UTC';
  const out: Message[] = [];
  for (let i = 0; i < readings.length; i += size) {
    const chunk = readings.slice(i, i + size);
    const index = i / size;
    const last = chunk[chunk.length - 1]!.tsMs;
    out.push({
      topic: readingsTopic(siteId, deviceId),
      payload: {
        device_id: deviceId,
        seq: seq0 + index,
        readings: chunk.map(({ tsMs, reading }) => ({ ...reading, ts: formatTs(tsMs, style(index), timezone) })),
      },
      receivedAt: last + 15_000 + ((index * 7919) % 20_000),
    });
  }
  return out;
}

// --- the devices --------------------------------------------------------------------------

const STO_EPISODES = [[at('2026-03-26T23:00:00Z'), at('2026-03-30T22:00:00Z')], [at('2026-10-22T22:00:00Z'), at('2026-10-26T23:00:00Z')]] as const;
const NYC_EPISODES = [[at('2026-03-06T05:00:00Z'), at('2026-03-10T04:00:00Z')], [at('2026-10-30T04:00:00Z'), at('2026-11-03T05:00:00Z')]] as const;
const inEpisode = (tsMs: number): boolean => STO_EPISODES.some(([a, b]) => tsMs >= a - DAY && tsMs <= b + DAY);

function stoMain(): PlannedReading[] {
  // A reading every 9 days at a wandering time of day, September 2025 to November 2026, around
  // the dense episodes (sparse: every UTC day with data is a partition the converter writes).
  const backbone = range(at('2025-09-01T00:00:00Z'), at('2026-12-01T00:00:00Z'), 9 * DAY)
    .map((day, i) => day + 12 * HOUR + ((i * 37) % 600) * MINUTE + ((i * 13) % 60) * 1000)
    .filter((t) => !inEpisode(t));
  // Missing readings on 27 March: one (a 30-minute interval, 2 median intervals: no gap), two
  // (45 minutes, exactly 3: no gap) and three (60 minutes: a gap).
  const missing = ['10:15', '14:15', '14:30', '18:15', '18:30', '18:45'].map((hhmm) => at(`2026-03-27T${hhmm}:00Z`));
  const dense = STO_EPISODES.flatMap(([a, b]) => range(a, b, 15 * MINUTE)).filter((t) => !missing.includes(t));
  return simulate({
    deviceId: 'sto-main', siteId: 'site-sto', profile: 'household', timestamps: [...backbone, ...dense],
    restarts: [{ atMs: at('2026-10-24T09:00:00Z'), kind: 'reset' }],
    voltages: {
      [at('2026-03-28T06:00:00Z')]: 206.9, // under
      [at('2026-03-28T06:15:00Z')]: 207.0, // on the lower limit: inside the band
      [at('2026-03-28T18:00:00Z')]: 253.0, // on the upper limit: inside
      [at('2026-03-28T18:15:00Z')]: 253.1, // over
      [at('2026-03-29T00:45:00Z')]: 180.0, // a sag on the night of the clock change
      [at('2026-10-25T01:15:00Z')]: 260.0, // in the repeated hour
    },
  });
}

function stoHeat(): PlannedReading[] {
  // Every 10 minutes (half of the readings off the 15-minute grid), a gap across local midnight
  // (21:50 to 02:30 CET, 27/28 March), a meter replacement on 25 October, nothing from April to October.
  const timestamps = STO_EPISODES.flatMap(([a, b]) => range(a, b, 10 * MINUTE))
    .filter((t) => t <= at('2026-03-27T20:50:00Z') || t >= at('2026-03-28T01:30:00Z'));
  return simulate({
    deviceId: 'sto-heat', siteId: 'site-sto', profile: 'commercial', timestamps,
    restarts: [{ atMs: at('2026-10-25T14:20:00Z'), kind: 'replacement' }],
  });
}

function nycMain(): PlannedReading[] {
  const hourly = range(at('2026-01-05T05:00:00Z'), at('2026-02-16T05:00:01Z'), HOUR);
  const spring = range(NYC_EPISODES[0][0], NYC_EPISODES[0][1], 15 * MINUTE, 5 * MINUTE);
  const autumn = range(NYC_EPISODES[1][0], NYC_EPISODES[1][1], 15 * MINUTE);
  // 10 February (a Tuesday) draws an extra 1.5 ordinary Tuesdays, spread evenly over the local day.
  const anomalyStart = at('2026-02-10T05:00:00Z');
  const probe = createMeter({ deviceId: 'nyc-main', siteId: 'site-nyc', profile: 'household', seed: 20260329, timezone: 'America/New_York' });
  const tuesday = -probe.readAt(at('2026-02-03T05:00:00Z')).energy_import_kwh + probe.readAt(at('2026-02-04T05:00:00Z')).energy_import_kwh;
  const extra = round3(1.5 * tuesday);
  return simulate({
    deviceId: 'nyc-main', siteId: 'site-nyc', profile: 'household', timestamps: [...hourly, ...spring, ...autumn],
    extraKwh: (t) => extra * Math.min(1, Math.max(0, (t - anomalyStart) / DAY)),
    voltages: { [at('2026-03-08T07:05:00Z')]: 199.5, [at('2026-03-08T07:20:00Z')]: 201.25, [at('2026-11-01T06:00:00Z')]: 254.0 },
  });
}

// Worked by hand (Stockholm: CET = UTC+1 until 29 March 01:00Z, then CEST = UTC+2):
// 28 Mar 00:00 -> 12:00 -> 22:00 local: 6 + 5 kWh; 22:00 -> 04:00 CEST (5 real hours, 5 kWh)
// crosses midnight after 2 h: 2 kWh on the 28th (13 in all), 3 on the 29th; then a reset
// (register 3.000: 3 kWh) and 6 kWh to midnight: 12 kWh on the 23-hour 29th.
const STO_HAND_M = handMade([
  ['2026-03-27T23:00:00Z', 1000], ['2026-03-28T11:00:00Z', 1006], ['2026-03-28T21:00:00Z', 1011],
  ['2026-03-29T02:00:00Z', 1016], ['2026-03-29T10:00:00Z', 3], ['2026-03-29T22:00:00Z', 9], ['2026-03-30T10:00:00Z', 15],
]);
// 25 Oct (CEST -> CET at 01:00Z): 00:00 -> first 02:30 -> second 02:30 -> midnight: 2.5 + 1 + 25 = 28.5 kWh in 25 hours.
const STO_HAND_O = handMade([
  ['2026-10-24T22:00:00Z', 500], ['2026-10-25T00:30:00Z', 502.5], ['2026-10-25T01:30:00Z', 503.5],
  ['2026-10-25T23:00:00Z', 528.5], ['2026-10-26T05:07:30Z', 531],
]);
// New York, 8 March (EST -> EDT at 07:00Z): 11 kWh on the 7th, then 3 kWh over 6 real hours
// across midnight after 2 h (1 + 2), then 23 kWh to the next midnight: 12 on the 7th, 25 on the 8th.
const NYC_HAND_M = handMade([
  ['2026-03-07T05:00:00Z', 50], ['2026-03-08T03:00:00Z', 61], ['2026-03-08T09:00:00Z', 64], ['2026-03-09T04:00:00Z', 87],
]);
// 1 November (EDT -> EST at 06:00Z): 01:30 EDT, 01:30 EST, midnight: 1.5 + 0.5 + 23 = 25 kWh in 25 hours.
const NYC_HAND_N = handMade([
  ['2026-11-01T04:00:00Z', 10], ['2026-11-01T05:30:00Z', 11.5], ['2026-11-01T06:30:00Z', 12], ['2026-11-02T05:00:00Z', 35],
]);
// A site missing from `sites`: UTC days. 8 kWh over 20:00Z -> 04:00Z: 4 on each UTC day.
const LAB_1 = handMade([['2026-03-07T20:00:00Z', 7], ['2026-03-08T04:00:00Z', 15]]);

function one(siteId: string, deviceId: string, readings: PlannedReading[]): Message[] {
  return batches(siteId, deviceId, readings, 1, (i) => (['z', 'offset', 'epoch'] as const)[i % 3]!, 1);
}

/**
 * The golden lake's ingest lines as two Firehose flushes, each in arrival order: everything,
 * then copies redelivered after the first flush (they land in other Parquet files, so only the
 * query-time deduplication of readings_unique can absorb them). Deterministic.
 */
export function goldenIngestFlushes(): [string[], string[]] {
  const messages: Message[] = [];

  const stoMainBatches = batches('site-sto', 'sto-main', stoMain(), 4, (i) => (i % 2 ? 'offset' : 'z'), 100);
  stoMainBatches.forEach((m, i) => {
    if (i % 17 === 5) m.receivedAt += 5 * HOUR; // out of order: arrives after later batches
  });
  const late = stoMainBatches.find((m) => (m.payload as { readings: { ts: string }[] }).readings.some((r) => Date.parse(r.ts) === at('2026-03-28T12:00:00Z')));
  if (late) late.receivedAt += 6 * DAY; // into an old partition, six days late
  messages.push(...stoMainBatches);

  const heat = batches('site-sto', 'sto-heat', stoHeat(), 6, () => 'epoch', 5000);
  for (const [i, m] of heat.entries()) {
    messages.push(m);
    if (i % 13 === 0) messages.push({ ...m, receivedAt: m.receivedAt + 30_000 }); // QoS 1 redelivery, same flush
  }

  const nycReadings = nycMain();
  const nyc = batches('site-nyc', 'nyc-main', nycReadings, 4, (i) => (['z', 'offset', 'epoch'] as const)[i % 3]!, 900);
  for (const [i, m] of nyc.entries()) {
    messages.push(m);
    if (i % 11 === 3) messages.push({ ...m, receivedAt: m.receivedAt + 30_000, lateCopy: i % 2 === 0 });
  }
  // The same readings cut into a different batch and sent again a minute later.
  const recut = nycReadings.slice(402, 408);
  messages.push(...batches('site-nyc', 'nyc-main', recut, 6, () => 'z', 7000).map((m) => ({ ...m, receivedAt: m.receivedAt + 60_000, lateCopy: true })));
  // A later copy of one reading with another register value: the first received wins.
  const [conflict] = batches('site-nyc', 'nyc-main', [nycReadings[500]!], 1, () => 'epoch', 7100);
  const conflictReading = (conflict!.payload as { readings: Reading[] }).readings[0]!;
  conflictReading.energy_import_kwh = round3(conflictReading.energy_import_kwh + 0.5);
  messages.push({ ...conflict!, receivedAt: nycReadings[500]!.tsMs + DAY, lateCopy: true });

  messages.push(...one('site-sto', 'sto-hand-m', STO_HAND_M), ...one('site-sto', 'sto-hand-o', STO_HAND_O));
  messages.push(...one('site-nyc', 'nyc-hand-m', NYC_HAND_M), ...one('site-nyc', 'nyc-hand-n', NYC_HAND_N));
  messages.push(...one('site-lab', 'lab-1', LAB_1));

  const lines = (late: boolean): string[] => messages
    .map((m, order) => ({ m, order }))
    .filter(({ m }) => Boolean(m.lateCopy) === late)
    .sort((a, b) => a.m.receivedAt - b.m.receivedAt || a.order - b.order)
    .map(({ m }) => JSON.stringify({ topic: m.topic, payload: m.payload, received_at: m.receivedAt }));
  return [lines(false), lines(true)];
}

/** The reference CSVs of the tests, by table. */
export function referenceFixture(table: string): string {
  return readFileSync(new URL(`${table}.csv`, REFERENCE_FIXTURES), 'utf8');
}

/** A fixture table as objects of strings ('' for empty): the fixtures hold no quotes or commas in values. */
export function referenceRows(table: string): Record<string, string>[] {
  const [header, ...rows] = referenceFixture(table).trim().split('\n').map((line) => line.split(','));
  return rows.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? ''])));
}

/** Ingests the golden flushes (one `wattlake ingest` run each) into the lake folder `root` with its reference tables installed. */
async function buildGoldenLake(root: string, flushes: readonly string[][], duckdb: DuckDBInstance): Promise<void> {
  const store = new FolderStore(root);
  for (const table of REFERENCE_TABLE_NAMES) {
    const result = await installReferenceTable({ store, table, body: referenceFixture(table) });
    if (!result.ok) throw new Error(`test/fixtures/reference/${table}.csv is invalid: ${JSON.stringify(result.problems)}`);
  }
  for (const lines of flushes) {
    const summary = await ingestLines(lines, { store, duckdb });
    const rejected = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
    if (rejected || summary.invalidLines.length || summary.unrouted) throw new Error(`golden lake: ingest refused data: ${JSON.stringify(summary)}`);
  }
}

const SOURCE_DIRS = ['pipeline', 'infra/local'].map((d) => new URL(`../../${d}/`, import.meta.url).pathname);

/** Fingerprint of everything the built lake depends on: the lines, the fixtures and the ingest code. */
function goldenKey(lines: readonly string[]): string {
  const hash = createHash('sha256').update(lines.join('\n'));
  for (const table of REFERENCE_TABLE_NAMES) hash.update(referenceFixture(table));
  for (const dir of SOURCE_DIRS) {
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
    for (const file of files) hash.update(relative(dir, join(dir, file))).update(readFileSync(join(dir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

export interface GoldenLake {
  root: string;
  duckdb: DuckDBInstance;
  /** Every ingest line of both flushes. */
  lines: string[];
  /** What metering.md says about the lines, computed in TypeScript (test/helpers/metering-reference.ts). */
  reference: MeteringReference;
  /** Runs a named query on the lake with parameter texts, as `wattlake query` does. */
  run(name: string, params?: Record<string, string>): Promise<PlainRow[]>;
  close(): void;
}

/**
 * The golden lake, built once per change of its inputs: ingesting it takes ~20 s (every UTC day
 * is a partition to convert), so the built folder is kept in the temp directory under a key of
 * the lines, fixtures and pipeline sources, and test files share it read-only. A build goes to a
 * fresh folder that is renamed into place, so parallel test files never see half a lake.
 */
export async function openGoldenLake(): Promise<GoldenLake> {
  const flushes = goldenIngestFlushes();
  const lines = flushes.flat();
  const root = join(tmpdir(), `wattlake-golden-${goldenKey(lines)}`);
  const duckdb = await openDuckDb({ threads: 2 });
  if (!existsSync(join(root, '.complete'))) {
    const staging = await mkdtemp(join(tmpdir(), 'wattlake-golden-staging-'));
    await buildGoldenLake(staging, flushes, duckdb);
    writeFileSync(join(staging, '.complete'), '');
    try {
      renameSync(staging, root);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another test file won the race
    }
    removeStaleGoldenLakes(root);
  }
  return {
    root, duckdb, lines,
    reference: meteringReference(lines, Object.fromEntries(referenceRows('sites').map((site) => [site.site_id, site.timezone]))),
    run: async (name, params = {}) => (await runNamedQuery(duckdb, root, name, params)).rows,
    close: () => duckdb.closeSync(),
  };
}

/** Lakes of earlier sources, left an hour or more ago (younger ones may belong to a run in progress). */
function removeStaleGoldenLakes(current: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith('wattlake-golden-') || path === current) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // Already gone.
    }
  }
}
