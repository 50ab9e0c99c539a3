import { describe, expect, it } from 'vitest';
import { decodeFloat32, decodeSpans, encodeFloat32, planReads, SDM120, SDM630 } from '../../../../firmware/agent/drivers/sdm-registers.ts';

describe('decodeFloat32', () => {
  it('reads an IEEE-754 float from two registers, high word first (Eastron: 230.1 V is 0x4366 0x199A)', () => {
    expect(decodeFloat32([0x4366, 0x199a], 0)).toBeCloseTo(230.1, 4);
    expect(decodeFloat32([0x0000, 0x4366, 0x199a], 1)).toBeCloseTo(230.1, 4);
  });

  it('reads word-swapped floats when the map says so', () => {
    expect(decodeFloat32([0x199a, 0x4366], 0, 'low-first')).toBeCloseTo(230.1, 4);
  });

  it('keeps the sign of negative power (export)', () => {
    expect(decodeFloat32(encodeFloat32(-1520.5), 0)).toBe(-1520.5);
  });

  it('refuses an offset past the registers read', () => {
    expect(() => decodeFloat32([0x4366], 0)).toThrow(RangeError);
  });

  it('round-trips every float32 through encodeFloat32', () => {
    for (const value of [0, 1, 49.98, 12345.678, 0.93, -0.5, 3.4e38]) {
      expect(decodeFloat32(encodeFloat32(value), 0)).toBe(Math.fround(value));
      expect(decodeFloat32(encodeFloat32(value, 'low-first'), 0, 'low-first')).toBe(Math.fround(value));
    }
  });
});

describe('planReads', () => {
  it('reads every SDM630 value in one request (the meter answers any address of its table)', () => {
    expect(planReads(SDM630)).toEqual([{ address: 0x2a, count: 0x4c - 0x2a }]);
  });

  it('reads each SDM120 value on its own', () => {
    expect(planReads(SDM120)).toEqual(SDM120.fields.map((f) => ({ address: f.address, count: 2 })).sort((a, b) => a.address - b.address));
  });

  it('splits a block at the meter limit', () => {
    const wide = { ...SDM630, maxRegistersPerRead: 10, fields: [{ field: 'voltage_v' as const, address: 0 }, { field: 'current_a' as const, address: 6 }, { field: 'power_w' as const, address: 12 }] };
    expect(planReads(wide)).toEqual([{ address: 0, count: 8 }, { address: 12, count: 2 }]);
  });
});

describe('decodeSpans', () => {
  it('takes each field from its offset inside the block', () => {
    const spans = planReads(SDM630);
    const block = new Array<number>(spans[0]!.count).fill(0);
    const put = (address: number, value: number): void => { block.splice(address - 0x2a, 2, ...encodeFloat32(value)); };
    put(0x2a, 231.4); put(0x2e, 5.2); put(0x34, 3604.5); put(0x3e, 0.97); put(0x46, 50.01); put(0x48, 48213.375); put(0x4a, 12.5);
    const values = decodeSpans(SDM630, spans, [block]);
    expect(values).toEqual({
      voltage_v: Math.fround(231.4), current_a: Math.fround(5.2), power_w: Math.fround(3604.5), power_factor: Math.fround(0.97),
      frequency_hz: Math.fround(50.01), energy_import_kwh: 48213.375, energy_export_kwh: 12.5,
    });
  });
});
