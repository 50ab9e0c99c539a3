// The rollup: what the shared views compute, materialized by compaction for the closed past
// (everything before the `closed_until` watermark), so that queries over a month of a year-long
// lake read a month of precomputed rows instead of recomputing every interval of the year.
// Defined once here; the DuckDB catalog and the Glue tables are derived from it. How it is
// built: pipeline/convert/rollup.ts; how queries combine it with the live views: queries/README.md.
import type { Column } from './readings.ts';

export interface RollupTable {
  name: string;
  /** Lake prefix (`rollup/<folder>/`); partitioned tables have `dt=YYYY-MM-DD/` folders under it. */
  folder: string;
  /** What `dt` means for this table's rows (partitioned tables), or null for one-file tables. */
  partition: string | null;
  description: string;
  columns: readonly Column[];
}

const SITE: Column = { name: 'site_id', type: 'string', nullable: false, description: 'Site.' };
const DEVICE: Column = { name: 'device_id', type: 'string', nullable: false, description: 'Meter.' };
const TIMEZONE: Column = { name: 'timezone', type: 'string', nullable: false, description: "The site's IANA timezone (UTC for a site missing from sites)." };
/**
 * The watermark a partition was built for (the same in all its rows): it holds what ends before
 * it, and the views take the rest of that day from the live views. Kept per partition, not only
 * in the anchors, so that the rollup's rows need no join to be read (a join in front of the
 * rollup stops DuckDB from pruning it by the query's period), and a compaction that stopped
 * half-way leaves every day consistent.
 */
const BUILT_UNTIL: Column = { name: 'built_until', type: 'timestamp', nullable: false, unit: 'UTC', description: 'Watermark this partition was built for: it holds the rows before it.' };

/** Rows of the interval_slots view for closed intervals (ending before closed_until). */
export const INTERVAL_SLOT_COLUMNS: readonly Column[] = [
  SITE, DEVICE, TIMEZONE,
  { name: 'interval_start', type: 'timestamp', nullable: false, unit: 'UTC', description: 'Start of the reading interval (the previous reading).' },
  { name: 'interval_end', type: 'timestamp', nullable: false, unit: 'UTC', description: 'End of the reading interval (the reading).' },
  { name: 'interval_ms', type: 'bigint', nullable: false, unit: 'ms', description: 'Length of the interval.' },
  { name: 'slot_start', type: 'timestamp', nullable: false, unit: 'UTC', description: 'Start of the 15-minute slot.' },
  { name: 'local_slot_start', type: 'timestamp', nullable: false, description: "Start of the slot, wall-clock time in the site's timezone." },
  { name: 'local_day', type: 'date', nullable: false, description: 'Local day of the slot.' },
  { name: 'local_month', type: 'date', nullable: false, description: 'First day of the local month of the slot.' },
  { name: 'local_hour', type: 'bigint', nullable: false, description: 'Local hour of the slot, 0-23.' },
  { name: 'local_minute_of_day', type: 'bigint', nullable: false, description: 'Local minutes since midnight at the slot start.' },
  { name: 'local_weekday', type: 'bigint', nullable: false, description: 'ISO weekday of the slot, 1 = Monday.' },
  { name: 'overlap_ms', type: 'bigint', nullable: false, unit: 'ms', description: 'Time the interval and the slot share.' },
  { name: 'kwh', type: 'double', nullable: false, unit: 'kWh', description: "The interval's energy in proportion to the overlap." },
  BUILT_UNTIL,
];

/** Rows of the local_readings view for closed readings (before closed_until). */
export const LOCAL_READING_COLUMNS: readonly Column[] = [
  SITE, DEVICE,
  { name: 'ts', type: 'timestamp', nullable: false, unit: 'UTC', description: 'Time of the reading.' },
  TIMEZONE,
  { name: 'local_ts', type: 'timestamp', nullable: false, description: "Time of the reading, wall-clock time in the site's timezone." },
  { name: 'local_day', type: 'date', nullable: false, description: 'Local day of the reading.' },
  { name: 'energy_import_kwh', type: 'kwh_register', nullable: false, unit: 'kWh', description: 'Cumulative import register.' },
  { name: 'energy_export_kwh', type: 'kwh_register', nullable: true, unit: 'kWh', description: 'Cumulative export register.' },
  { name: 'power_w', type: 'double', nullable: true, unit: 'W', description: 'Instantaneous active power.' },
  { name: 'voltage_v', type: 'double', nullable: true, unit: 'V', description: 'RMS voltage.' },
  { name: 'current_a', type: 'double', nullable: true, unit: 'A', description: 'RMS current.' },
  { name: 'power_factor', type: 'double', nullable: true, description: 'Power factor.' },
  { name: 'frequency_hz', type: 'double', nullable: true, unit: 'Hz', description: 'Grid frequency.' },
  { name: 'since_previous_ms', type: 'bigint', nullable: true, unit: 'ms', description: "Time since the device's previous reading (NULL for its first)." },
  BUILT_UNTIL,
];

/** How many closed intervals of each length a device had, per UTC day of the interval's end. */
export const INTERVAL_DURATION_COLUMNS: readonly Column[] = [
  DEVICE,
  { name: 'interval_ms', type: 'bigint', nullable: false, unit: 'ms', description: 'Interval length.' },
  { name: 'intervals', type: 'bigint', nullable: false, description: 'Intervals of this length ending that day.' },
  BUILT_UNTIL,
];

/** Each device's first and last reading of a UTC day: where to find a device's previous and next reading without reading the days between. */
export const DEVICE_DAY_COLUMNS: readonly Column[] = [
  DEVICE,
  { name: 'first_site_id', type: 'string', nullable: false, description: "Site of the day's first reading." },
  { name: 'first_ts', type: 'timestamp', nullable: false, unit: 'UTC', description: "The day's first reading." },
  { name: 'first_kwh', type: 'kwh_register', nullable: false, unit: 'kWh', description: 'Its import register.' },
  { name: 'last_site_id', type: 'string', nullable: false, description: "Site of the day's last reading." },
  { name: 'last_ts', type: 'timestamp', nullable: false, unit: 'UTC', description: "The day's last reading." },
  { name: 'last_kwh', type: 'kwh_register', nullable: false, unit: 'kWh', description: 'Its import register.' },
];

/** The watermark and, per device, its last closed reading: where the live views take over. */
export const ANCHOR_COLUMNS: readonly Column[] = [
  SITE, DEVICE,
  { name: 'ts', type: 'timestamp', nullable: false, unit: 'UTC', description: "The device's last reading before closed_until." },
  { name: 'energy_import_kwh', type: 'kwh_register', nullable: false, unit: 'kWh', description: 'Its import register.' },
  { name: 'closed_until', type: 'timestamp', nullable: false, unit: 'UTC', description: 'The watermark: the rollup holds every interval ending before it (same in every row).' },
];

export const ROLLUP_TABLES = {
  interval_slots_closed: {
    name: 'interval_slots_closed', folder: 'interval_slots', partition: 'UTC date of slot_start', columns: INTERVAL_SLOT_COLUMNS,
    description: 'interval_slots rows of intervals ending before closed_until (rollup, written by compaction). Query interval_slots.',
  },
  local_readings_closed: {
    name: 'local_readings_closed', folder: 'local_readings', partition: 'UTC date of ts', columns: LOCAL_READING_COLUMNS,
    description: 'local_readings rows of readings before closed_until (rollup, written by compaction). Query local_readings.',
  },
  interval_durations_closed: {
    name: 'interval_durations_closed', folder: 'interval_durations', partition: 'UTC date of the interval end', columns: INTERVAL_DURATION_COLUMNS,
    description: 'Closed intervals counted by device and length (rollup, written by compaction); device_cadence reads it.',
  },
  device_days: {
    name: 'device_days', folder: 'device_days', partition: 'UTC date of the readings', columns: DEVICE_DAY_COLUMNS,
    description: "Each device's first and last reading per day (rollup index, written by compaction).",
  },
  rollup_anchors: {
    name: 'rollup_anchors', folder: 'anchors', partition: null, columns: ANCHOR_COLUMNS,
    description: 'The closed_until watermark and each device\'s last reading before it (rollup, written by compaction).',
  },
} as const satisfies Record<string, RollupTable>;

export type RollupTableName = keyof typeof ROLLUP_TABLES;
export const ROLLUP_TABLE_NAMES = Object.keys(ROLLUP_TABLES) as RollupTableName[];
