// What a meter driver returns and what the agent puts in a batch: the contract's reading
// fields (docs/contracts.md), rounded to the meter's resolution before they leave the box.
import { METER_DECIMALS } from '../simulator/meter-model.ts';

export type MeasureField = 'energy_import_kwh' | 'energy_export_kwh' | 'power_w' | 'voltage_v' | 'current_a' | 'power_factor' | 'frequency_hz';

/** One read of a meter: the import register is required by the contract, everything else optional. */
export type MeterValues = { energy_import_kwh: number } & Partial<Record<Exclude<MeasureField, 'energy_import_kwh'>, number>>;

/** One reading as it goes out in a batch payload: `ts` is ISO-8601 UTC. */
export type AgentReading = { ts: string } & MeterValues;

/** Decimal places per field: the resolution the meter reports (and the lake stores, 1 Wh for registers). */
export type Resolution = Readonly<Partial<Record<MeasureField, number>>>;

/** The simulator's resolution (0.001 kWh, 0.1 W, 0.1 V, 0.001 A, 0.001, 0.01 Hz), with the export register like the import one. */
export const DEFAULT_RESOLUTION: Resolution = { ...METER_DECIMALS, energy_export_kwh: 3 };

export const MEASURE_FIELDS: readonly MeasureField[] = ['energy_import_kwh', 'energy_export_kwh', 'power_w', 'voltage_v', 'current_a', 'power_factor', 'frequency_hz'];

/** Multiply-round-divide, so that 230.10000610351562 (a float32 230.1) becomes 230.1, not 230.10000000000002. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/**
 * The values at the meter's resolution, in contract field order. A value that is not a finite
 * number (a failed register, NaN from a float) is left out rather than sent as `null`: absent
 * optional fields are valid. Null when the import register itself is unusable: the lake would
 * refuse the reading (`energy_missing`), so the agent counts it as a failed read instead.
 */
export function roundValues(values: MeterValues, resolution: Resolution = DEFAULT_RESOLUTION): MeterValues | null {
  const out: Partial<Record<MeasureField, number>> = {};
  for (const field of MEASURE_FIELDS) {
    const value = values[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    const decimals = resolution[field];
    out[field] = decimals === undefined ? value : roundTo(value, decimals);
  }
  return out.energy_import_kwh === undefined ? null : (out as MeterValues);
}
