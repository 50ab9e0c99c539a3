// The reading schema, defined once. The validator, the Parquet/DuckDB column types, the Glue
// column types and (later) the QuickSight dataset columns are all derived from this file.

/**
 * Logical column types; each engine's spelling is derived in `types.ts`. `kwh_register` is an
 * energy register: exact decimal(18,3), i.e. 1 Wh resolution, stored as Parquet INT64 DECIMAL.
 * Exact decimals make `e2 - e1` exact and compress about 2.5x better than doubles.
 * `date` is a calendar date without time zone (the reference tables' validity periods).
 */
export type ColumnType = 'string' | 'double' | 'bigint' | 'timestamp' | 'kwh_register' | 'date';

/** A measured value sent by a device: how it is checked and which reason code a failure gets. */
export interface MeasureRule {
  required: boolean;
  /** Inclusive bounds; every measure must also be a finite JSON number. */
  min?: number;
  max?: number;
  /** Reason code when the value is below `min` / above `max` / absent while required. */
  belowReason?: string;
  aboveReason?: string;
  missingReason?: string;
}

/** Largest register value accepted: far above any real meter, well inside decimal(18,3). */
const LIMITS_KWH_MAX = 1e12;

export interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
  unit?: string;
  description: string;
  /** Set for fields that devices send per reading. */
  measure?: MeasureRule;
}

/** Columns of the `readings` table, in storage order (the `dt` partition is not a file column). */
export const READING_COLUMNS: readonly Column[] = [
  { name: 'site_id', type: 'string', nullable: false, description: 'Site the device belongs to (from the topic, i.e. the registry).' },
  { name: 'device_id', type: 'string', nullable: false, description: 'Device (IoT thing name).' },
  { name: 'ts', type: 'timestamp', nullable: false, unit: 'UTC', description: 'Time of the reading, UTC, millisecond precision.' },
  {
    name: 'energy_import_kwh', type: 'kwh_register', nullable: false, unit: 'kWh', description: 'Cumulative import register (1 Wh resolution).',
    measure: { required: true, min: 0, max: LIMITS_KWH_MAX, belowReason: 'energy_negative', aboveReason: 'energy_out_of_range', missingReason: 'energy_missing' },
  },
  {
    name: 'energy_export_kwh', type: 'kwh_register', nullable: true, unit: 'kWh', description: 'Cumulative export register (1 Wh resolution).',
    measure: { required: false, min: 0, max: LIMITS_KWH_MAX, belowReason: 'energy_negative', aboveReason: 'energy_out_of_range' },
  },
  {
    name: 'power_w', type: 'double', nullable: true, unit: 'W', description: 'Instantaneous active power; negative = export.',
    measure: { required: false },
  },
  {
    name: 'voltage_v', type: 'double', nullable: true, unit: 'V', description: 'RMS voltage.',
    measure: { required: false, min: 0, max: 1000, belowReason: 'voltage_out_of_range', aboveReason: 'voltage_out_of_range' },
  },
  {
    name: 'current_a', type: 'double', nullable: true, unit: 'A', description: 'RMS current.',
    measure: { required: false, min: 0, belowReason: 'current_negative' },
  },
  {
    name: 'power_factor', type: 'double', nullable: true, description: 'Power factor, -1 to 1.',
    measure: { required: false, min: -1, max: 1, belowReason: 'power_factor_out_of_range', aboveReason: 'power_factor_out_of_range' },
  },
  {
    name: 'frequency_hz', type: 'double', nullable: true, unit: 'Hz', description: 'Grid frequency.',
    measure: { required: false, min: 40, max: 70, belowReason: 'frequency_out_of_range', aboveReason: 'frequency_out_of_range' },
  },
  { name: 'seq', type: 'bigint', nullable: true, description: 'Message counter from the envelope, for gap detection.' },
  { name: 'received_at', type: 'timestamp', nullable: false, unit: 'UTC', description: 'When IoT Core (or the twin) received the message.' },
];

/** Columns of the `rejected_readings` table (quarantine). */
export const REJECTED_COLUMNS: readonly Column[] = [
  { name: 'site_id', type: 'string', nullable: true, description: 'Site from the topic, as received (may be invalid).' },
  { name: 'device_id', type: 'string', nullable: true, description: 'Device from the topic, as received (may be invalid).' },
  { name: 'ts', type: 'timestamp', nullable: true, unit: 'UTC', description: 'Time of the reading when it could be parsed.' },
  { name: 'reason', type: 'string', nullable: false, description: 'Stable reason code, e.g. ts_in_future.' },
  { name: 'detail', type: 'string', nullable: false, description: 'Human-readable explanation.' },
  { name: 'payload', type: 'string', nullable: false, description: 'The rejected reading (or message) as JSON text.' },
  { name: 'received_at', type: 'timestamp', nullable: false, unit: 'UTC', description: 'When the message was received.' },
];

/** The `dt` partition column shared by both tables: UTC date of `ts` (of `received_at` when `ts` is unusable). */
export const PARTITION_COLUMN: Column = {
  name: 'dt', type: 'string', nullable: false, description: 'UTC date YYYY-MM-DD (partition).',
};

/** Measure columns, in schema order: the fields a device sends per reading besides `ts`. */
export const MEASURE_COLUMNS = READING_COLUMNS.filter(
  (c): c is Column & { measure: MeasureRule } => c.measure !== undefined,
);

/** The shape of one accepted, normalized reading (one line of the raw zone). */
export interface NormalizedReading {
  site_id: string;
  device_id: string;
  /** Epoch milliseconds, UTC. */
  ts: number;
  energy_import_kwh: number;
  energy_export_kwh?: number;
  power_w?: number;
  voltage_v?: number;
  current_a?: number;
  power_factor?: number;
  frequency_hz?: number;
  seq?: number;
  /** Epoch milliseconds, UTC. */
  received_at: number;
}

/** The shape of one quarantined reading (also one line of the raw zone, told apart by `reason`). */
export interface RejectedReading {
  site_id: string | null;
  device_id: string | null;
  ts: number | null;
  reason: string;
  detail: string;
  payload: string;
  received_at: number;
}

/** Contract limits. */
export const LIMITS = {
  /** IoT Core's maximum MQTT payload. */
  maxPayloadBytes: 128 * 1024,
  /** Readings may be at most this far ahead of the receive time. */
  maxClockSkewMs: 5 * 60 * 1000,
  /** Nothing before 2000-01-01T00:00:00Z. */
  minTsMs: Date.UTC(2000, 0, 1),
  /** Receive times are trusted up to here, so ts (<= received + 5 min) always has a 4-digit-year `dt`. */
  maxReceivedAtMs: Date.UTC(9000, 0, 1),
} as const;
