import { describe, expect, it } from 'vitest';
import { createRandom, deriveSeed, normalAt, uniformAt, valueNoise } from '../../../firmware/simulator/random.ts';

const draw = (n: number, f: () => number): number[] => Array.from({ length: n }, f);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]): number => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};

describe('createRandom', () => {
  it('gives the same sequence for the same seed and stream', () => {
    const a = createRandom(42, 'meter:meter-0001');
    const b = createRandom(42, 'meter:meter-0001');
    expect(draw(100, a.next)).toEqual(draw(100, b.next));
  });

  it('gives different sequences for different devices or seeds', () => {
    const first = draw(10, createRandom(42, 'meter:meter-0001').next);
    expect(draw(10, createRandom(42, 'meter:meter-0002').next)).not.toEqual(first);
    expect(draw(10, createRandom(43, 'meter:meter-0001').next)).not.toEqual(first);
  });

  it('draws uniforms in [0, 1) and standard normals', () => {
    const random = createRandom(7);
    const uniforms = draw(20_000, random.next);
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    expect(mean(uniforms)).toBeCloseTo(0.5, 1);
    const normals = draw(20_000, () => random.normal());
    expect(mean(normals)).toBeCloseTo(0, 1);
    expect(sd(normals)).toBeCloseTo(1, 1);
    expect(mean(draw(5_000, () => random.normal(230, 2)))).toBeCloseTo(230, 0);
  });
});

describe('counter-based values', () => {
  it('are a pure function of (seed, index), even for epoch-ms indices beyond 32 bits', () => {
    const ts = Date.parse('2026-11-20T10:00:00Z');
    expect(uniformAt(1, ts)).toBe(uniformAt(1, ts));
    expect(uniformAt(1, ts)).not.toBe(uniformAt(1, ts + 2 ** 32));
    expect(uniformAt(1, ts)).not.toBe(uniformAt(2, ts));
  });

  it('normalAt is standard normal across indices', () => {
    const seed = deriveSeed(42, 'noise');
    const values = Array.from({ length: 20_000 }, (_, i) => normalAt(seed, 1_795_132_800_000 + i * 300_000));
    expect(mean(values)).toBeCloseTo(0, 1);
    expect(sd(values)).toBeCloseTo(1, 1);
  });

  it('valueNoise passes through the knot values and is linear between them', () => {
    const seed = 99;
    const spacing = 300_000;
    const knot = 5_983_776; // a 5-minute knot in 2026
    expect(valueNoise(seed, knot * spacing, spacing)).toBe(normalAt(seed, knot));
    const left = normalAt(seed, knot);
    const right = normalAt(seed, knot + 1);
    expect(valueNoise(seed, knot * spacing + spacing / 4, spacing)).toBeCloseTo(left + (right - left) / 4, 12);
  });
});
