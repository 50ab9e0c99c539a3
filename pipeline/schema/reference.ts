// The reference tables, defined once: what operators load as CSV (`wattlake reference load`),
// the DuckDB views over them and the Glue tables are all derived from these columns. The rules a
// value must satisfy beyond its type live in pipeline/reference/validate.ts.
import type { Column } from './readings.ts';

/** Sites: where a device's readings are attributed, in which local time, at which tariff. */
export const SITE_COLUMNS: readonly Column[] = [
  { name: 'site_id', type: 'string', nullable: false, description: 'Site (the `{site_id}` of the MQTT topic); unique.' },
  { name: 'name', type: 'string', nullable: false, description: 'Human-readable site name.' },
  { name: 'timezone', type: 'string', nullable: false, description: 'IANA time zone, e.g. Europe/Stockholm: local days, hours and tariff bands. A site missing from this table is UTC.' },
  { name: 'tariff_id', type: 'string', nullable: true, description: 'Tariff the site pays (tariffs.tariff_id); empty when unknown.' },
  { name: 'region', type: 'string', nullable: true, description: 'Grid region for emission factors (emission_factors.region); empty when unknown.' },
  { name: 'contracted_capacity_kw', type: 'double', nullable: true, unit: 'kW', description: 'Contracted grid capacity; empty when unknown.' },
];

/** The `days` a tariff band applies to: local calendar weekdays. */
export const TARIFF_DAYS = ['mon-fri', 'sat-sun', 'all'] as const;
export type TariffDays = (typeof TARIFF_DAYS)[number];

/**
 * Tariffs: one row per band. A band applies on the local calendar days named by `days`, from
 * `start_local` (inclusive) to `end_local` (exclusive), both `HH:MM` on a 15-minute boundary;
 * `end_local` may be `24:00`. A band whose end is earlier than its start wraps midnight *within
 * each of its days*: `22:00`–`06:00` on `mon-fri` means 00:00–06:00 and 22:00–24:00 of every
 * Monday to Friday (a local instant belongs to the band when its own weekday matches), so the
 * rows of a tariff must tile each weekday 00:00–24:00 exactly. Rows sharing a tariff_id and
 * validity period form one version of the tariff; versions of a tariff must not overlap.
 */
export const TARIFF_COLUMNS: readonly Column[] = [
  { name: 'tariff_id', type: 'string', nullable: false, description: 'Tariff (sites.tariff_id).' },
  { name: 'band', type: 'string', nullable: false, description: 'Band name, e.g. peak, shoulder, off_peak.' },
  { name: 'days', type: 'string', nullable: false, description: 'Local weekdays the band applies to: mon-fri, sat-sun or all.' },
  { name: 'start_local', type: 'string', nullable: false, description: 'Local start time HH:MM (inclusive), 15-minute boundary.' },
  { name: 'end_local', type: 'string', nullable: false, description: 'Local end time HH:MM (exclusive), 15-minute boundary, 24:00 allowed; earlier than start = wraps midnight within the day.' },
  { name: 'price_per_kwh', type: 'double', nullable: false, unit: 'currency/kWh', description: 'Energy price in the band.' },
  { name: 'currency', type: 'string', nullable: false, description: 'ISO 4217 currency code, e.g. SEK.' },
  { name: 'valid_from', type: 'date', nullable: false, description: 'First local day the row applies (inclusive).' },
  { name: 'valid_to', type: 'date', nullable: true, description: 'Last local day the row applies (inclusive); empty = open-ended.' },
];

/** Emission factors: kg CO2e per kWh of grid electricity, per region and validity period. */
export const EMISSION_FACTOR_COLUMNS: readonly Column[] = [
  { name: 'region', type: 'string', nullable: false, description: 'Grid region (sites.region), e.g. SE3.' },
  { name: 'valid_from', type: 'date', nullable: false, description: "First day the factor applies (inclusive; the site's local date)." },
  { name: 'valid_to', type: 'date', nullable: true, description: 'Last day the factor applies (inclusive); empty = open-ended. Periods of a region never overlap.' },
  { name: 'kg_co2e_per_kwh', type: 'double', nullable: false, unit: 'kg CO2e/kWh', description: 'Emission factor.' },
];

/** The reference tables by name, in the order they are usually loaded. */
export const REFERENCE_TABLES = {
  sites: SITE_COLUMNS,
  tariffs: TARIFF_COLUMNS,
  emission_factors: EMISSION_FACTOR_COLUMNS,
} as const satisfies Record<string, readonly Column[]>;

export type ReferenceTableName = keyof typeof REFERENCE_TABLES;
export const REFERENCE_TABLE_NAMES = Object.keys(REFERENCE_TABLES) as ReferenceTableName[];

export function isReferenceTableName(value: unknown): value is ReferenceTableName {
  return typeof value === 'string' && Object.hasOwn(REFERENCE_TABLES, value);
}
