// Publish -> PUBACK latencies of one run: recorded into a preallocated array as PUBACKs arrive,
// summarized by nearest-rank percentiles.

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class LatencyRecorder {
  private values: Float64Array;
  private n = 0;

  constructor(expected: number) {
    this.values = new Float64Array(Math.max(16, expected));
  }

  record(ms: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = ms;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.n).sort();
    return { count: this.n, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: this.n === 0 ? 0 : (sorted[this.n - 1] as number) };
  }
}

/** Nearest-rank percentile of ascending `sorted` values (0 when there are none). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}
