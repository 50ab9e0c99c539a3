// OBIS (IEC 62056-61) codes of an electricity meter's telegram -> the contract's reading fields.
// Pure: takes what smartmeter-obis parsed from an SML (binary) or D0/DSMR (IEC 62056-21 text)
// telegram. Codes are matched by value group C (quantity) and D (type): 1.8 import register,
// 2.8 export register, 16.7 / 1.7-2.7 power, 32/52/72.7 voltages, 31/51/71.7 currents,
// 14.7 frequency, 13.7 power factor. Units are converted (Wh/MWh -> kWh, kW -> W).
import type { MeasureField, MeterValues } from '../reading.ts';

/** The part of smartmeter-obis's ObisMeasurement used here. */
export interface ObisMeasurementLike {
  medium: number;
  measurement: number;
  measureType: number;
  tariffRate: number;
  values: readonly { value: unknown; unit: string }[];
}

const ELECTRICITY = 1;
const UNIT_FACTORS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  kWh: { Wh: 0.001, kWh: 1, MWh: 1000 },
  W: { W: 1, kW: 1000, MW: 1e6 },
  V: { V: 1, kV: 1000 },
  A: { A: 1 },
  Hz: { Hz: 1 },
  '': { '': 1 },
};

/** The numeric value in `unit` (the field's base unit), or undefined when absent, not a number, or in an unknown unit. */
function valueIn(measurement: ObisMeasurementLike | undefined, unit: keyof typeof UNIT_FACTORS): number | undefined {
  const first = measurement?.values[0];
  if (!first || typeof first.value !== 'number' || !Number.isFinite(first.value)) return undefined;
  const factor = UNIT_FACTORS[unit]?.[first.unit];
  return factor === undefined ? undefined : first.value * factor;
}

/**
 * The register: the total (tariff 0) when the meter sends it, otherwise the sum of its tariff
 * registers (DSMR meters send only 1.8.1 and 1.8.2).
 */
function register(electric: readonly ObisMeasurementLike[], c: number): number | undefined {
  const all = electric.filter((m) => m.measurement === c && m.measureType === 8);
  const total = valueIn(all.find((m) => m.tariffRate === 0), 'kWh');
  if (total !== undefined) return total;
  const tariffs = all.filter((m) => m.tariffRate > 0).map((m) => valueIn(m, 'kWh'));
  if (tariffs.length === 0 || tariffs.some((v) => v === undefined)) return undefined;
  return (tariffs as number[]).reduce((a, b) => a + b, 0);
}

const instant = (electric: readonly ObisMeasurementLike[], c: number, unit: keyof typeof UNIT_FACTORS): number | undefined =>
  valueIn(electric.find((m) => m.measurement === c && m.measureType === 7 && m.tariffRate === 0), unit);

/** Mean of the phases the meter reports (a single-phase meter reports L1 only). */
function phaseMean(electric: readonly ObisMeasurementLike[], codes: readonly number[], unit: keyof typeof UNIT_FACTORS): number | undefined {
  const values = codes.map((c) => instant(electric, c, unit)).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The reading in a parsed telegram; throws when it has no import register (nothing the lake would accept). */
export function obisToValues(result: Readonly<Record<string, ObisMeasurementLike>>): MeterValues {
  const electric = Object.values(result).filter((m) => m.medium === ELECTRICITY);
  const importKwh = register(electric, 1);
  if (importKwh === undefined) throw new Error(`telegram has no import register (1.8.x); codes: ${Object.keys(result).join(', ')}`);
  const imported = instant(electric, 1, 'W');
  const exported = instant(electric, 2, 'W');
  const values: Partial<Record<MeasureField, number>> = {
    energy_import_kwh: importKwh,
    energy_export_kwh: register(electric, 2),
    // 16.7 is the signed sum of active power; DSMR meters send import (1.7) and export (2.7) instead.
    power_w: instant(electric, 16, 'W') ?? (imported !== undefined ? imported - (exported ?? 0) : undefined),
    voltage_v: phaseMean(electric, [32, 52, 72], 'V'),
    current_a: phaseMean(electric, [31, 51, 71], 'A'),
    power_factor: instant(electric, 13, ''),
    frequency_hz: instant(electric, 14, 'Hz'),
  };
  for (const key of Object.keys(values) as MeasureField[]) if (values[key] === undefined) delete values[key];
  return values as MeterValues;
}
