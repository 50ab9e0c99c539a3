import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../firmware/agent/backoff.ts';

const OPTIONS = { initialMs: 1000, maxMs: 60_000 };

describe('backoffDelay', () => {
  it('doubles the step per attempt, drawing from its upper half', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, OPTIONS, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, OPTIONS, () => 0.999_999))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('caps at maxMs, also after very many attempts', () => {
    expect(backoffDelay(10, OPTIONS, () => 0.999_999)).toBe(60_000);
    expect(backoffDelay(5000, OPTIONS, () => 0)).toBe(30_000);
  });

  it('spreads a fleet that lost the broker at the same moment', () => {
    let state = 7;
    const random = (): number => ((state = (state * 48_271) % 2_147_483_647) / 2_147_483_647);
    const delays = Array.from({ length: 1000 }, () => backoffDelay(4, OPTIONS, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(8000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(16_000);
    expect(new Set(delays).size).toBeGreaterThan(900);
  });
});
