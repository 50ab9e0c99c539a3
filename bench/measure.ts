// Timing for every bench suite: one warm-up run (JIT, caches, DuckDB's first-query setup), then
// N timed repetitions, summarized by their median so one noisy run does not move the result.
import { performance } from 'node:perf_hooks';

/** Progress lines for long steps; the CLI sends them to stderr so stdout stays the report. */
export type Log = (line: string) => void;

export const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);
export const silentLog: Log = () => undefined;

const rssMiB = (): number => Math.round(process.memoryUsage.rss() / 2 ** 20);

export interface Timing {
  medianMs: number;
  samplesMs: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Runs `fn` once untimed, then `reps` timed times. Returns the timing and the last run's value,
 * which callers should consume (a count, a byte size) so the work cannot be optimized away.
 */
export async function measure<T>(label: string, { reps, log }: { reps: number; log: Log }, fn: () => T | Promise<T>): Promise<{ timing: Timing; value: T }> {
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`reps must be a positive integer, got ${reps}`);
  const run = async (which: string): Promise<{ ms: number; value: T }> => {
    log(`${label} ${which} (rss ${rssMiB()} MiB)`);
    const start = performance.now();
    const value = await fn();
    return { ms: performance.now() - start, value };
  };
  // Only the last run's value is kept: an earlier one would double the heap while the next runs.
  await run('warm-up');
  const samplesMs: number[] = [];
  for (let rep = 1; rep < reps; rep++) samplesMs.push((await run(`rep ${rep}/${reps}`)).ms);
  const { ms, value } = await run(`rep ${reps}/${reps}`);
  samplesMs.push(ms);
  return { timing: { medianMs: median(samplesMs), samplesMs }, value };
}

/**
 * Times two functions in alternation (a, b, a, b, …) after one warm-up of each, so that both see
 * the same heap, JIT state and machine load: when one of them would otherwise run while the
 * other's data fills the heap, the comparison measures the garbage collector, not the code.
 */
export async function measurePair<A, B>(
  labels: [string, string],
  { reps, log }: { reps: number; log: Log },
  a: () => A | Promise<A>,
  b: () => B | Promise<B>,
): Promise<[{ timing: Timing; value: A }, { timing: Timing; value: B }]> {
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`reps must be a positive integer, got ${reps}`);
  const once = async <T>(label: string, which: string, fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> => {
    log(`${label} ${which} (rss ${rssMiB()} MiB)`);
    const start = performance.now();
    const value = await fn();
    return { ms: performance.now() - start, value };
  };
  let lastA = await once(labels[0], 'warm-up', a);
  let lastB = await once(labels[1], 'warm-up', b);
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  for (let rep = 1; rep <= reps; rep++) {
    lastA = await once(labels[0], `rep ${rep}/${reps}`, a);
    samplesA.push(lastA.ms);
    lastB = await once(labels[1], `rep ${rep}/${reps}`, b);
    samplesB.push(lastB.ms);
  }
  return [
    { timing: { medianMs: median(samplesA), samplesMs: samplesA }, value: lastA.value },
    { timing: { medianMs: median(samplesB), samplesMs: samplesB }, value: lastB.value },
  ];
}

/** Items per second at the median time. */
export const throughput = (items: number, timing: Timing): number => items / (timing.medianMs / 1000);
