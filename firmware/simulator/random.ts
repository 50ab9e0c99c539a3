// Seeded randomness for the simulator. Two kinds, both deterministic:
// - `createRandom`: a sequential PRNG (mulberry32), for drawing a device's fixed traits once;
// - `uniformAt` / `normalAt` / `valueNoise`: counter-based values, a pure function of
//   (seed, index), so that anything that varies over time (demand noise, voltage, grid
//   frequency) is a function of the timestamp alone and does not depend on how often,
//   or in which order, a meter is read.

/** Murmur3's 32-bit finalizer: spreads every input bit over the whole output. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a string (FNV-1a, then mixed). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A seed for an independent stream named `key` under `seed` (e.g. one per device). */
export function deriveSeed(seed: number, key: string): number {
  return mix32(hashString(key) ^ Math.imul(mix32(seed >>> 0) + 0x9e3779b9, 0x27d4eb2d));
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Gaussian (Box-Muller). */
  normal(mean?: number, sd?: number): number;
  /** Uniform in [min, max). */
  range(min: number, max: number): number;
}

/** mulberry32 seeded from (seed, stream): the same pair always gives the same sequence. */
export function createRandom(seed: number, stream = ''): Random {
  let state = deriveSeed(seed, stream);
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal(mean = 0, sd = 1) {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return mean + sd * value;
      }
      const u = 1 - next(); // (0, 1]: keeps log() finite
      const radius = Math.sqrt(-2 * Math.log(u));
      const angle = 2 * Math.PI * next();
      spare = radius * Math.sin(angle);
      return mean + sd * radius * Math.cos(angle);
    },
    range: (min, max) => min + (max - min) * next(),
  };
}

const TWO_POW_32 = 4294967296;

/** 32-bit hash of (seed, index) for any safe integer index, e.g. an epoch-ms timestamp. */
function hashAt(seed: number, index: number): number {
  const low = index >>> 0;
  const high = Math.floor(index / TWO_POW_32) | 0;
  return mix32(mix32(seed ^ low) ^ Math.imul(high + 0x632be5ab, 0x9e3779b1));
}

/** Uniform in [0, 1), a pure function of (seed, integer index). */
export function uniformAt(seed: number, index: number): number {
  return hashAt(seed, index) / TWO_POW_32;
}

const SQRT3 = Math.sqrt(3);

/**
 * Approximately standard normal, a pure function of (seed, integer index): the sum of four
 * 16-bit uniforms (Irwin-Hall), scaled to unit variance. Bounded to ±3.46, which keeps
 * simulated noise free of absurd outliers.
 */
export function normalAt(seed: number, index: number): number {
  const a = hashAt(seed, index);
  const b = mix32(a ^ 0x5bd1e995);
  const sum = (a & 0xffff) + (a >>> 16) + (b & 0xffff) + (b >>> 16);
  return (sum / 65536 - 2) * SQRT3;
}

/**
 * Smooth noise over a time axis: `normalAt` values at knots every `spacing` units, linearly
 * interpolated between them. Continuous in `t`, so integrating it over any partition that
 * includes the knots gives the same result.
 */
export function valueNoise(seed: number, t: number, spacing: number): number {
  const position = t / spacing;
  const knot = Math.floor(position);
  const fraction = position - knot;
  const left = normalAt(seed, knot);
  return fraction === 0 ? left : left + (normalAt(seed, knot + 1) - left) * fraction;
}
