import { describe, expect, it } from 'vitest';
import { nextTick, startSampler } from '../../../firmware/agent/sampler.ts';

const AT = Date.parse('2026-11-24T10:07:41.250Z');

describe('nextTick', () => {
  it('lands on the quarter of the minute for a 15 s interval', () => {
    expect(new Date(nextTick(AT, 15_000)).toISOString()).toBe('2026-11-24T10:07:45.000Z');
  });

  it('is strictly after now, also when now is exactly on a tick', () => {
    const onTick = Date.parse('2026-11-24T10:07:45.000Z');
    expect(nextTick(onTick, 15_000) - onTick).toBe(15_000);
  });

  it('applies the offset (e.g. 5 s after every full minute)', () => {
    expect(new Date(nextTick(AT, 60_000, 5000)).toISOString()).toBe('2026-11-24T10:08:05.000Z');
    expect(new Date(nextTick(Date.parse('2026-11-24T10:08:03Z'), 60_000, 5000)).toISOString()).toBe('2026-11-24T10:08:05.000Z');
  });

  it('gives a 15-minute grid on the quarter hour', () => {
    expect(new Date(nextTick(AT, 900_000)).toISOString()).toBe('2026-11-24T10:15:00.000Z');
  });
});

describe('startSampler', () => {
  it('ticks on the wall-clock grid, one tick at a time', async () => {
    const ticks: number[] = [];
    const sampler = startSampler({ intervalMs: 100, onTick: async (t) => { ticks.push(t); } });
    await new Promise((resolve) => setTimeout(resolve, 550));
    await sampler.stop();
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    for (const t of ticks) expect(t % 100).toBe(0);
    expect(ticks.slice(1).map((t, i) => t - (ticks[i] as number))).toEqual(ticks.slice(1).map(() => 100));
  });

  it('skips (and counts) the ticks a slow read overran instead of bunching them up', async () => {
    const ticks: number[] = [];
    let skipped = 0;
    const sampler = startSampler({
      intervalMs: 50,
      onTick: async (t) => {
        ticks.push(t);
        if (ticks.length === 1) await new Promise((resolve) => setTimeout(resolve, 170));
      },
      onSkipped: (n) => { skipped += n; },
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await sampler.stop();
    expect(skipped).toBeGreaterThanOrEqual(3);
    expect((ticks[1] as number) - (ticks[0] as number)).toBe((skipped + 1) * 50);
  });
});
