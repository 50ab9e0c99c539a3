import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOLUTION, roundTo, roundValues } from '../../../firmware/agent/reading.ts';

describe('roundValues', () => {
  it('rounds float32 register values to the meter resolution, in contract field order', () => {
    const values = roundValues({ frequency_hz: Math.fround(49.98), voltage_v: Math.fround(230.1), energy_import_kwh: Math.fround(4821.375) + 0.0004, power_w: Math.fround(-1484.7) }, DEFAULT_RESOLUTION);
    expect(values).toEqual({ energy_import_kwh: 4821.375, power_w: -1484.7, voltage_v: 230.1, frequency_hz: 49.98 });
    expect(Object.keys(values as object)).toEqual(['energy_import_kwh', 'power_w', 'voltage_v', 'frequency_hz']);
  });

  it('leaves out values that are not finite instead of sending null', () => {
    expect(roundValues({ energy_import_kwh: 12.5, voltage_v: Number.NaN, current_a: Number.POSITIVE_INFINITY })).toEqual({ energy_import_kwh: 12.5 });
  });

  it('gives null when the import register is unusable', () => {
    expect(roundValues({ energy_import_kwh: Number.NaN, power_w: 5 })).toBeNull();
  });

  it('rounds half away from zero at the last digit like the lake (1 Wh)', () => {
    expect(roundTo(1.0005, 3)).toBe(1.001);
    expect(roundTo(230.15, 1)).toBe(230.2);
  });
});
