// Register maps of Eastron DIN-rail meters and the pure decoding of what they answer.
// Eastron SDM meters expose their measurements as Modbus *input* registers (function 04), each
// value an IEEE-754 float32 in two 16-bit registers, high word first, big-endian bytes
// (Eastron "SDM630 Modbus Protocol" v1.5 and "SDM120 Modbus Protocol" v2.4, 3X register tables;
// addresses here are the protocol's 0-based "hex" addresses, i.e. 3X register number - 30001).
import type { MeasureField, MeterValues, Resolution } from '../reading.ts';

export type WordOrder = 'high-first' | 'low-first';

export interface RegisterField {
  field: MeasureField;
  /** 0-based input register address of the float's first word. */
  address: number;
}

export interface RegisterMap {
  model: string;
  fields: readonly RegisterField[];
  /** Largest number of registers the meter answers in one request. */
  maxRegistersPerRead: number;
  /**
   * Whether a request may span addresses that are not in `fields` (the meter answers gaps).
   * SDM630 answers any address of its table in a block; for SDM120 each value is read on its
   * own, which is what its protocol document describes.
   */
  readsAcrossGaps: boolean;
  wordOrder: WordOrder;
  resolution: Resolution;
}

/**
 * SDM630 (three-phase): system totals, so one reading describes the whole connection.
 * voltage_v is the average line-to-neutral voltage and current_a the average line current.
 */
export const SDM630: RegisterMap = {
  model: 'sdm630',
  fields: [
    { field: 'voltage_v', address: 0x002a }, // 30043 average line to neutral volts
    { field: 'current_a', address: 0x002e }, // 30047 average line current
    { field: 'power_w', address: 0x0034 }, // 30053 total system power (W), negative = export
    { field: 'power_factor', address: 0x003e }, // 30063 total system power factor
    { field: 'frequency_hz', address: 0x0046 }, // 30071 frequency of supply voltages
    { field: 'energy_import_kwh', address: 0x0048 }, // 30073 import active energy (kWh)
    { field: 'energy_export_kwh', address: 0x004a }, // 30075 export active energy (kWh)
  ],
  maxRegistersPerRead: 80, // "up to 40 parameters" per request
  readsAcrossGaps: true,
  wordOrder: 'high-first',
  // Display resolution of the SDM630 registers; the lake keeps 1 Wh.
  resolution: { energy_import_kwh: 3, energy_export_kwh: 3, power_w: 1, voltage_v: 1, current_a: 3, power_factor: 3, frequency_hz: 2 },
};

/** SDM120 (single-phase). */
export const SDM120: RegisterMap = {
  model: 'sdm120',
  fields: [
    { field: 'voltage_v', address: 0x0000 }, // 30001 voltage
    { field: 'current_a', address: 0x0006 }, // 30007 current
    { field: 'power_w', address: 0x000c }, // 30013 active power
    { field: 'power_factor', address: 0x001e }, // 30031 power factor
    { field: 'frequency_hz', address: 0x0046 }, // 30071 frequency
    { field: 'energy_import_kwh', address: 0x0048 }, // 30073 import active energy
    { field: 'energy_export_kwh', address: 0x004a }, // 30075 export active energy
  ],
  maxRegistersPerRead: 80,
  readsAcrossGaps: false,
  wordOrder: 'high-first',
  resolution: { energy_import_kwh: 3, energy_export_kwh: 3, power_w: 1, voltage_v: 1, current_a: 3, power_factor: 3, frequency_hz: 2 },
};

export const REGISTER_MAPS: Readonly<Record<string, RegisterMap>> = { sdm630: SDM630, sdm120: SDM120 };
export type MeterModel = 'sdm630' | 'sdm120';

/** One Modbus read request: `count` registers from `address`. */
export interface RegisterSpan {
  address: number;
  count: number;
}

/** The requests that read every field of `map`: merged into blocks where the meter allows it, in address order. */
export function planReads(map: RegisterMap): RegisterSpan[] {
  const addresses = [...new Set(map.fields.map((f) => f.address))].sort((a, b) => a - b);
  const spans: RegisterSpan[] = [];
  for (const address of addresses) {
    const last = spans.at(-1);
    const end = address + 2;
    if (last && map.readsAcrossGaps && end - last.address <= map.maxRegistersPerRead) last.count = end - last.address;
    else spans.push({ address, count: 2 });
  }
  return spans;
}

/** The float32 in two registers (16-bit unsigned each) at `offset` of `registers`. */
export function decodeFloat32(registers: readonly number[], offset: number, wordOrder: WordOrder = 'high-first'): number {
  const first = registers[offset];
  const second = registers[offset + 1];
  if (first === undefined || second === undefined) throw new RangeError(`no float32 at register offset ${offset} of ${registers.length}`);
  const [high, low] = wordOrder === 'high-first' ? [first, second] : [second, first];
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt16BE(high, 0);
  bytes.writeUInt16BE(low, 2);
  return bytes.readFloatBE(0);
}

/** The two registers a meter serves for `value` (for test servers and fixtures). */
export function encodeFloat32(value: number, wordOrder: WordOrder = 'high-first'): [number, number] {
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeFloatBE(value, 0);
  const high = bytes.readUInt16BE(0);
  const low = bytes.readUInt16BE(2);
  return wordOrder === 'high-first' ? [high, low] : [low, high];
}

/** The reading's values from the answers to `planReads(map)`, in the same order. Not rounded. */
export function decodeSpans(map: RegisterMap, spans: readonly RegisterSpan[], answers: readonly (readonly number[])[]): Partial<MeterValues> {
  const values: Partial<Record<MeasureField, number>> = {};
  for (const { field, address } of map.fields) {
    const index = spans.findIndex((s) => address >= s.address && address + 2 <= s.address + s.count);
    const answer = answers[index];
    if (index < 0 || answer === undefined) throw new RangeError(`register ${address} of ${field} was not read`);
    values[field] = decodeFloat32(answer, address - (spans[index] as RegisterSpan).address, map.wordOrder);
  }
  return values;
}
