import { describe, expect, it } from 'vitest';
import { Batcher, batchPayload } from '../../../firmware/agent/batcher.ts';
import type { AgentReading } from '../../../firmware/agent/reading.ts';
import { decodeMessage } from '../../../pipeline/decode/payload.ts';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const reading = (i: number): AgentReading => ({ ts: new Date(T0 + i * 15_000).toISOString().replace('.000Z', 'Z'), energy_import_kwh: 1200 + i * 0.021, power_w: 5040.2 });

describe('Batcher', () => {
  it('closes a batch when it holds maxReadings', () => {
    const batcher = new Batcher({ maxReadings: 3, maxAgeMs: 600_000 });
    expect(batcher.add(reading(0), T0)).toBeNull();
    expect(batcher.add(reading(1), T0 + 15_000)).toBeNull();
    expect(batcher.add(reading(2), T0 + 30_000)).toEqual([reading(0), reading(1), reading(2)]);
    expect(batcher.size).toBe(0);
  });

  it('closes a batch when its oldest reading is maxAgeMs old', () => {
    const batcher = new Batcher({ maxReadings: 100, maxAgeMs: 60_000 });
    batcher.add(reading(0), T0);
    batcher.add(reading(1), T0 + 15_000);
    expect(batcher.dueAt).toBe(T0 + 60_000);
    expect(batcher.takeIfDue(T0 + 59_999)).toBeNull();
    expect(batcher.takeIfDue(T0 + 60_000)).toEqual([reading(0), reading(1)]);
    expect(batcher.dueAt).toBeNull();
  });

  it('gives the open batch on shutdown, and nothing when empty', () => {
    const batcher = new Batcher({ maxReadings: 10, maxAgeMs: 60_000 });
    expect(batcher.take()).toBeNull();
    batcher.add(reading(0), T0);
    expect(batcher.take()).toEqual([reading(0)]);
  });
});

describe('batchPayload', () => {
  it('is the contract batch form, accepted whole by the lake decoder', () => {
    const readings = Array.from({ length: 20 }, (_, i) => reading(i));
    const payload = JSON.parse(batchPayload('meter-0042', 1041, readings)) as Record<string, unknown>;
    expect(payload).toEqual({ device_id: 'meter-0042', seq: 1041, readings });
    const decoded = decodeMessage(payload, { siteId: 'site-07', topicDeviceId: 'meter-0042', receivedAt: T0 + 400_000 });
    expect(decoded.rejected).toEqual([]);
    expect(decoded.accepted.map((r) => [r.ts, r.seq])).toEqual(readings.map((_, i) => [T0 + i * 15_000, 1041]));
  });
});
