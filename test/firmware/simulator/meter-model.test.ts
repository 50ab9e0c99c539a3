import { describe, expect, it } from 'vitest';
import { createMeter, METER_DECIMALS, type MeterOptions, type Reading } from '../../../firmware/simulator/meter-model.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const FIVE_MIN = 300_000;
const START = Date.parse('2026-11-20T00:00:00Z');

const household: MeterOptions = { deviceId: 'meter-0001', siteId: 'site-01', profile: 'household', seed: 42 };
const commercial: MeterOptions = { deviceId: 'meter-0005', siteId: 'site-02', profile: 'commercial', seed: 42 };

function readEvery(options: MeterOptions, start: number, count: number, stepMs: number): Reading[] {
  const meter = createMeter(options);
  return Array.from({ length: count }, (_, i) => meter.readAt(start + i * stepMs));
}

/** Independent reference: trapezoids on a 10-second grid. */
function integrateKwh(demandKw: (t: number) => number, from: number, to: number): number {
  const step = 10_000;
  let sum = 0;
  for (let t = from; t < to; t += step) sum += (demandKw(t) + demandKw(t + step)) / 2 * step;
  return sum / HOUR_MS;
}

const dailyKwh = (options: MeterOptions, dayStart: number): number => {
  const readings = readEvery(options, dayStart, 2, DAY_MS);
  return (readings[1] as Reading).energy_import_kwh - (readings[0] as Reading).energy_import_kwh;
};

describe('createMeter', () => {
  it('is deterministic: the same options and timestamps give the same readings', () => {
    expect(readEvery(household, START, 50, FIVE_MIN)).toEqual(readEvery(household, START, 50, FIVE_MIN));
  });

  it('gives another device or another seed different readings', () => {
    const base = readEvery(household, START, 5, FIVE_MIN).map((r) => r.power_w);
    expect(readEvery({ ...household, deviceId: 'meter-0002' }, START, 5, FIVE_MIN).map((r) => r.power_w)).not.toEqual(base);
    expect(readEvery({ ...household, seed: 43 }, START, 5, FIVE_MIN).map((r) => r.power_w)).not.toEqual(base);
  });

  it('starts the register at startRegisterKwh', () => {
    expect(readEvery({ ...household, startRegisterKwh: 12345.678 }, START, 1, FIVE_MIN)[0]?.energy_import_kwh).toBe(12345.678);
  });

  it('increments the register by the integrated demand, within the 0.001 kWh resolution', () => {
    const meter = createMeter(household);
    let previous = meter.readAt(START);
    for (let i = 1; i <= 288; i++) {
      const ts = START + i * FIVE_MIN;
      const reading = meter.readAt(ts);
      const increment = reading.energy_import_kwh - previous.energy_import_kwh;
      expect(Math.abs(increment - integrateKwh(meter.demandKwAt, ts - FIVE_MIN, ts))).toBeLessThanOrEqual(0.001 + 1e-4);
      previous = reading;
    }
  });

  it('counts the same energy whether read every 5 minutes or every hour', () => {
    const fine = readEvery(commercial, START, 289, FIVE_MIN);
    const hourly = readEvery(commercial, START, 25, HOUR_MS);
    hourly.forEach((reading, h) => {
      expect(Math.abs(reading.energy_import_kwh - (fine[h * 12] as Reading).energy_import_kwh)).toBeLessThanOrEqual(0.001);
    });
  });

  it('never lets the register go down when resets are off', () => {
    const readings = readEvery(household, START, 7 * 288, FIVE_MIN);
    for (let i = 1; i < readings.length; i++) {
      expect((readings[i] as Reading).energy_import_kwh).toBeGreaterThanOrEqual((readings[i - 1] as Reading).energy_import_kwh);
    }
  });

  it('restarts the register from about zero at resets, and only there', () => {
    const meter = createMeter({ ...household, startRegisterKwh: 5000, resetProbability: 0.01 });
    const readings = Array.from({ length: 1000 }, (_, i) => meter.readAt(START + i * FIVE_MIN));
    expect(meter.resets.length).toBeGreaterThan(0);
    for (let i = 1; i < readings.length; i++) {
      const ts = START + i * FIVE_MIN;
      const current = (readings[i] as Reading).energy_import_kwh;
      if (meter.resets.includes(ts)) {
        expect(current).toBeLessThanOrEqual(integrateKwh(meter.demandKwAt, ts - FIVE_MIN, ts) + 0.001);
      } else {
        expect(current).toBeGreaterThanOrEqual((readings[i - 1] as Reading).energy_import_kwh);
      }
    }
  });

  it('reports every value at meter resolution', () => {
    for (const options of [household, commercial]) {
      for (const reading of readEvery(options, START, 288, FIVE_MIN)) {
        for (const [field, decimals] of Object.entries(METER_DECIMALS)) {
          const value = reading[field as keyof typeof METER_DECIMALS];
          const scale = 10 ** decimals;
          expect(Math.round(value * scale) / scale).toBe(value);
        }
      }
    }
  });

  it('reports plausible electrical values around 230 V and 50 Hz', () => {
    for (const options of [household, commercial]) {
      const readings = readEvery(options, START, 288, FIVE_MIN);
      for (const r of readings) {
        expect(r.voltage_v).toBeGreaterThanOrEqual(207);
        expect(r.voltage_v).toBeLessThanOrEqual(253);
        expect(r.frequency_hz).toBeGreaterThanOrEqual(49.8);
        expect(r.frequency_hz).toBeLessThanOrEqual(50.2);
        expect(r.power_factor).toBeGreaterThan(0.5);
        expect(r.power_factor).toBeLessThanOrEqual(1);
        expect(r.power_w).toBeGreaterThan(0);
      }
      const meanVoltage = readings.reduce((sum, r) => sum + r.voltage_v, 0) / readings.length;
      expect(Math.abs(meanVoltage - 230)).toBeLessThan(8);
      expect(new Set(readings.map((r) => r.voltage_v)).size).toBeGreaterThan(10);
    }
  });

  it('derives current from power, voltage and power factor: single-phase households, three-phase commercial', () => {
    const [house] = readEvery(household, START + 19 * HOUR_MS, 1, FIVE_MIN) as [Reading];
    expect(house.current_a).toBeCloseTo(house.power_w / (house.voltage_v * house.power_factor), 1);
    const [shop] = readEvery(commercial, START + 11 * HOUR_MS, 1, FIVE_MIN) as [Reading];
    expect(shop.current_a).toBeCloseTo(shop.power_w / (3 * shop.voltage_v * shop.power_factor), 1);
  });

  it('sees the same grid frequency as every other meter at the same instant', () => {
    const a = readEvery(household, START, 12, FIVE_MIN).map((r) => r.frequency_hz);
    const b = readEvery(commercial, START, 12, FIVE_MIN).map((r) => r.frequency_hz);
    a.forEach((f, i) => expect(Math.abs(f - (b[i] as number))).toBeLessThanOrEqual(0.011));
  });

  it('uses more energy on a winter day than on a summer day', () => {
    for (const options of [household, commercial]) {
      // Both Wednesdays.
      expect(dailyKwh(options, Date.parse('2026-01-14T00:00:00Z'))).toBeGreaterThan(dailyKwh(options, Date.parse('2026-07-15T00:00:00Z')));
    }
  });

  it('writes ts as an ISO string with Z or as epoch milliseconds', () => {
    expect(readEvery(household, START, 1, FIVE_MIN)[0]?.ts).toBe('2026-11-20T00:00:00Z');
    expect(readEvery({ ...household, tsFormat: 'epoch-ms' }, START, 1, FIVE_MIN)[0]?.ts).toBe(START);
  });

  it('refuses a reading that is not later than the previous one', () => {
    const meter = createMeter(household);
    meter.readAt(START);
    expect(() => meter.readAt(START)).toThrow(RangeError);
    expect(() => meter.readAt(START - FIVE_MIN)).toThrow(RangeError);
  });

  it('refuses ids that are not contract-valid', () => {
    expect(() => createMeter({ ...household, deviceId: '../meter' })).toThrow(RangeError);
    expect(() => createMeter({ ...household, siteId: '' })).toThrow(RangeError);
  });
});
