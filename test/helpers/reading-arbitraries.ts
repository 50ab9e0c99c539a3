// fast-check generators for device messages: shaped like the contract's reading payload but
// with every field free to be hostile (wrong types, out of range, non-finite, missing), plus
// fully arbitrary objects. Shared by the decode and transform property tests.
import fc from 'fast-check';

export const TOPIC_SITE = 'site-01';
export const TOPIC_DEVICE = 'meter-0001';

const MIN_TS = Date.UTC(2000, 0, 1);
/** Receive times the property tests use: realistic, so the ts window around them is too. */
export const receivedAtArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });

/** Contract-valid IDs, and strings that only look like one. */
export const validIdArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/);
export const hostileIdArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(TOPIC_SITE, TOPIC_DEVICE), weight: 6 },
  { arbitrary: validIdArb, weight: 2 },
  fc.constantFrom('', '.', '..', '-meter', '_site', 'a/b', 'meter\u00000001', 'malmö', 'x'.repeat(65), 'm'.repeat(64), 'dt=2025-01-01', ' meter'),
  fc.string(),
  fc.jsonValue(),
);

/** Instants always inside the accepted window of `receivedAtArb`, and instants around its edges. */
const pastDateArb = fc.date({ min: new Date(MIN_TS), max: new Date(Date.UTC(2020, 0, 1)), noInvalidDate: true });
const edgeDateArb = fc.date({ min: new Date(Date.UTC(1995, 0, 1)), max: new Date(Date.UTC(2031, 0, 1)), noInvalidDate: true });
const pad = (n: number): string => String(Math.abs(n)).padStart(2, '0');
/** The same instant written with a UTC offset, as a meter in another zone would. */
const withOffset = (date: Date, offsetMin: number): string => {
  const local = new Date(date.getTime() + offsetMin * 60_000).toISOString().slice(0, 23);
  return `${local}${offsetMin < 0 ? '-' : '+'}${pad(Math.trunc(offsetMin / 60))}:${pad(offsetMin % 60)}`;
};
const offsetArb = fc.integer({ min: -12 * 60, max: 14 * 60 });

/** ts values: mostly plausible (ISO, offsets, epoch ms), sometimes around the window's edges or hostile. */
export const tsArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: pastDateArb.map((d) => d.toISOString()), weight: 6 },
  { arbitrary: fc.tuple(pastDateArb, offsetArb).map(([d, o]) => withOffset(d, o)), weight: 3 },
  { arbitrary: pastDateArb.map((d) => d.getTime()), weight: 3 },
  { arbitrary: fc.oneof(edgeDateArb.map((d) => d.toISOString()), fc.tuple(edgeDateArb, offsetArb).map(([d, o]) => withOffset(d, o)), edgeDateArb.map((d) => d.getTime())), weight: 3 },
  fc.constantFrom('2025-02-30T10:00:00Z', '2025-11-21T24:00:00Z', '2025-11-21T10:00:00', '1999-12-31T23:59:59.999Z', MIN_TS, MIN_TS - 1, '', 'NaN', 1e308, -0),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.jsonValue(),
);

/** A measure's value: mostly inside its bounds, else exactly on or just past them, non-finite, or not a number. */
function measureArb(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.double({ min, max, noNaN: true }), weight: 30 },
    fc.constantFrom(min, max, -0),
    fc.constantFrom(min - 1e-9, max + 1e-9, min - 1, max + 1),
    fc.double(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'NaN', 'Infinity', '-Infinity', '12.5', null, true, [], {}),
    fc.jsonValue(),
  );
}

const BIG = 1e9;
const readingModel = {
  ts: tsArb,
  energy_import_kwh: measureArb(0, BIG),
  energy_export_kwh: measureArb(0, BIG),
  power_w: measureArb(-BIG, BIG),
  voltage_v: measureArb(0, 1000),
  current_a: measureArb(0, 1000),
  power_factor: measureArb(-1, 1),
  frequency_hz: measureArb(40, 70),
  firmware: fc.string(),
};
/** Every field of a reading from the contract's table, each free to be wrong; ts and energy usually present. */
export const contractReadingArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { arbitrary: fc.record(readingModel, { requiredKeys: ['ts', 'energy_import_kwh'] }), weight: 4 },
  fc.record(readingModel, { requiredKeys: [] }),
);

/** Keys that have tripped JavaScript code before, mixed with the contract's own field names. */
export const hostileKeyArb = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'readings', 'ts', 'seq', 'device_id', 'energy_import_kwh', 'site_id', 'received_at'),
  fc.string(),
);

/** An object built with CreateDataProperty semantics, as JSON.parse does (`__proto__` stays an own key). */
export const objectFromEntries = (entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(entries);

/** Objects with arbitrary keys and values (fc.anything: NaN, -0, undefined, nested arrays and objects). */
export const anythingObjectArb = fc.array(fc.tuple(hostileKeyArb, fc.anything()), { maxLength: 8 }).map(objectFromEntries);

/** Objects with arbitrary keys and JSON values only: what JSON.parse can produce. */
export const jsonObjectArb = fc.array(fc.tuple(hostileKeyArb, fc.jsonValue()), { maxLength: 8 }).map(objectFromEntries);

const envelopeArb = fc.record(
  {
    device_id: fc.oneof({ arbitrary: fc.constant<unknown>(TOPIC_DEVICE), weight: 4 }, fc.constant('meter-0002'), fc.jsonValue()),
    seq: fc.oneof({ arbitrary: fc.nat(), weight: 4 }, fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, -1, 1.5, '7', null), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

/** Device messages in both contract forms, the batch's `readings` sometimes not an array or holding non-objects. */
export const contractMessageArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.tuple(envelopeArb, contractReadingArb).map(([envelope, reading]) => ({ ...envelope, ...reading })),
  fc.tuple(
    envelopeArb,
    fc.oneof(
      { arbitrary: fc.array(fc.oneof({ arbitrary: contractReadingArb, weight: 8 }, fc.jsonValue()), { maxLength: 12 }), weight: 8 },
      fc.jsonValue(),
    ),
  ).map(([envelope, readings]) => ({ ...envelope, readings })),
);
