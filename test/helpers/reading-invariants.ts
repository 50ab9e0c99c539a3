// The contract's rules for one output line of the transform, restated from docs/contracts.md
// as a test oracle. Deliberately not derived from pipeline/schema: if a bound there drifts from the
// contract, the tests that use this file fail instead of agreeing with it.
import { READING_REASONS } from '../../pipeline/decode/reasons.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const MIN_TS = Date.UTC(2000, 0, 1);
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** reasons.ts `energy_out_of_range`: registers are stored as decimal(18,3). */
const MAX_REGISTER_KWH = 1e12;

/** The reading-payload table: every measure is a finite number within these inclusive bounds. */
const MEASURES: Record<string, { required?: true; min?: number; max?: number }> = {
  energy_import_kwh: { required: true, min: 0, max: MAX_REGISTER_KWH },
  energy_export_kwh: { min: 0, max: MAX_REGISTER_KWH },
  power_w: {},
  voltage_v: { min: 0, max: 1000 },
  current_a: { min: 0 },
  power_factor: { min: -1, max: 1 },
  frequency_hz: { min: 40, max: 70 },
};
const ACCEPTED_KEYS = new Set(['site_id', 'device_id', 'ts', ...Object.keys(MEASURES), 'seq', 'received_at']);

/** A contract-valid site_id / device_id (its first character rules out `.` and `..`). */
export const isContractId = (value: unknown): value is string => typeof value === 'string' && ID.test(value);

/** Where a message came from: the topic's site and device and the receive time. */
export interface LineContext { siteId: unknown; deviceId: unknown; receivedAt: number }

/** Every contract rule an accepted (normalized) reading breaks; empty when it keeps them all. */
export function acceptedViolations(line: Record<string, unknown>, ctx: LineContext): string[] {
  const problems: string[] = [];
  if (!isContractId(line.site_id) || line.site_id !== ctx.siteId) problems.push(`site_id ${String(line.site_id)} is not the topic's valid site`);
  if (!isContractId(line.device_id) || line.device_id !== ctx.deviceId) problems.push(`device_id ${String(line.device_id)} is not the topic's valid device`);
  const ts = line.ts;
  if (!Number.isSafeInteger(ts)) problems.push(`ts ${String(ts)} is not integer epoch ms`);
  else if ((ts as number) < MIN_TS) problems.push(`ts ${String(ts)} is before 2000-01-01`);
  else if ((ts as number) > ctx.receivedAt + MAX_CLOCK_SKEW_MS) problems.push(`ts ${String(ts)} is more than 5 min after receive time`);
  for (const [name, rule] of Object.entries(MEASURES)) {
    const value = line[name];
    if (value === undefined) {
      if (rule.required) problems.push(`${name} is missing`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${name} ${String(value)} is not a finite number`);
    else if (rule.min !== undefined && value < rule.min) problems.push(`${name} ${value} < ${rule.min}`);
    else if (rule.max !== undefined && value > rule.max) problems.push(`${name} ${value} > ${rule.max}`);
  }
  if (line.seq !== undefined && !(Number.isSafeInteger(line.seq) && (line.seq as number) >= 0)) problems.push(`seq ${String(line.seq)} is not an integer >= 0`);
  if (line.received_at !== ctx.receivedAt) problems.push(`received_at ${String(line.received_at)} is not the receive time`);
  for (const key of Object.keys(line)) if (!ACCEPTED_KEYS.has(key)) problems.push(`unexpected column ${key}`);
  return problems;
}

/** Every rule a quarantined reading breaks: a known reason, a detail, the payload text, nullable ts. */
export function rejectedViolations(line: Record<string, unknown>, ctx: LineContext): string[] {
  const problems: string[] = [];
  if (typeof line.reason !== 'string' || !Object.hasOwn(READING_REASONS, line.reason)) problems.push(`reason ${String(line.reason)} is not a reading reason`);
  if (typeof line.detail !== 'string' || line.detail.trim() === '') problems.push('detail is empty');
  if (typeof line.payload !== 'string') problems.push('payload is not JSON text');
  else {
    try { JSON.parse(line.payload); } catch { problems.push('payload is not valid JSON'); }
  }
  if (line.ts !== null && !(Number.isSafeInteger(line.ts) && (line.ts as number) >= MIN_TS && (line.ts as number) <= ctx.receivedAt + MAX_CLOCK_SKEW_MS)) {
    problems.push(`ts ${String(line.ts)} is neither null nor a usable time`);
  }
  if (line.site_id !== null && line.site_id !== ctx.siteId) problems.push(`site_id ${String(line.site_id)} is not the topic's site`);
  if (line.device_id !== null && line.device_id !== ctx.deviceId) problems.push(`device_id ${String(line.device_id)} is not the topic's device`);
  if (line.received_at !== ctx.receivedAt) problems.push(`received_at ${String(line.received_at)} is not the receive time`);
  return problems;
}

/** How many readings a device message carries: the batch's length, one when `readings` is not an array, one for the single form. */
export function contractReadingCount(message: Record<string, unknown>): number {
  if (!Object.hasOwn(message, 'readings')) return 1;
  return Array.isArray(message.readings) ? message.readings.length : 1;
}

/** The UTC date (YYYY-MM-DD) of an epoch-ms instant. */
export const utcDay = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);

/**
 * The record's `dt`: the earliest UTC day among its lines, each line dated by its `ts`, or by
 * `received_at` when a quarantined line has no usable ts.
 */
export function expectedDt(lines: readonly Record<string, unknown>[]): string {
  const instants = lines.map((l) => (typeof l.ts === 'number' ? l.ts : (l.received_at as number)));
  return utcDay(Math.min(...instants));
}

/** The JSON lines of a transform output, parsed. */
export const parseLines = (text: string): Record<string, unknown>[] =>
  text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
