// The raw zone's line for an accepted reading: exactly the text JSON.stringify(reading) gives,
// built about three times faster (docs/benchmarks.md, "Local twin", runs 88-93). Turning doubles
// into text was most of JSON.stringify's cost: V8 finds the shortest text of a double with one
// general algorithm (about 0.25 us on the bench machine), also for the 13-digit epoch
// milliseconds every reading carries twice. Integers and meter values with at most three
// decimals have a cheap exact path here; any other number goes through String() as before.
// Tested against JSON.stringify (test/pipeline/transform/reading-line.test.ts).
import type { NormalizedReading } from '../schema/readings.ts';

/** Integers V8 turns into text fast (its small integers are 31 bits). */
const SMALL_INTEGER = 2 ** 30;
/** Larger integers are written as two small ones: the digits above and the 7 digits below. */
const LOW_DIGITS = 1e7;
const LOW_PADDING = '0000000';
/** `.001` … `.999` without trailing zeros, by thousandths (index 0 unused). */
const THOUSANDTHS = Array.from({ length: 1000 }, (_, i) => `.${String(i).padStart(3, '0')}`.replace(/0+$/, ''));
/** Below this, doubles are far closer together than 0.001 (see jsonNumber). */
const DECIMAL_LIMIT = 1e9;

/** The JSON text of a number, as JSON.stringify writes it. */
export function jsonNumber(value: number): string {
  if (Number.isInteger(value)) {
    if (value < SMALL_INTEGER && value > -SMALL_INTEGER) return String(value);
    if (value >= Number.MAX_SAFE_INTEGER || value <= -Number.MAX_SAFE_INTEGER) return String(value);
    // Exact: below 2^53 the quotient is under 2^30, where doubles are 2^-23 apart, so it cannot
    // round up to an integer it is 1e-7 or more below.
    const abs = Math.abs(value);
    const high = Math.floor(abs / LOW_DIGITS);
    const lowText = String(abs - high * LOW_DIGITS);
    return `${value < 0 ? '-' : ''}${high}${LOW_PADDING.slice(lowText.length)}${lowText}`;
  }
  // A value that equals a decimal with at most three decimals is written as that decimal. It is
  // the shortest text that reads back as the same double: any other text as short has at most
  // three decimals too, so it differs by 0.001 or more, and below DECIMAL_LIMIT that is another
  // double.
  if (value < DECIMAL_LIMIT && value > -DECIMAL_LIMIT) {
    const thousandths = Math.round(value * 1000);
    if (thousandths / 1000 !== value) return String(value);
    const abs = Math.abs(thousandths);
    const whole = Math.floor(abs / 1000);
    return `${thousandths < 0 ? '-' : ''}${whole}${THOUSANDTHS[abs - whole * 1000]}`;
  }
  return Number.isFinite(value) ? String(value) : 'null';
}

/** `,"name":value`, or nothing for an absent field (as JSON.stringify leaves out undefined). */
const optional = (name: string, value: number | undefined): string => (value === undefined ? '' : `,"${name}":${jsonNumber(value)}`);

/**
 * JSON.stringify(reading), for a reading decodeMessage accepted: its fields in schema order (the
 * order decodeMessage builds them in) and its IDs valid, i.e. plain `[A-Za-z0-9_.:-]` text that
 * JSON does not escape.
 */
export function readingLine(r: NormalizedReading): string {
  return `{"site_id":"${r.site_id}","device_id":"${r.device_id}","ts":${jsonNumber(r.ts)},"energy_import_kwh":${jsonNumber(r.energy_import_kwh)}`
    + `${optional('energy_export_kwh', r.energy_export_kwh)}${optional('power_w', r.power_w)}${optional('voltage_v', r.voltage_v)}`
    + `${optional('current_a', r.current_a)}${optional('power_factor', r.power_factor)}${optional('frequency_hz', r.frequency_hz)}`
    + `${optional('seq', r.seq)},"received_at":${jsonNumber(r.received_at)}}`;
}
