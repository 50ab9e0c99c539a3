// Delivery is background work that backpressure already keeps bounded, while the broker's
// PUBACKs are what devices wait for: on a machine with few cores, delivery should get the CPU
// only when the broker does not need it. Delivery runs in a process of its own
// (process-delivery.ts), which lowers its own priority as it starts. On Linux a nice value is
// per thread and new threads inherit their creator's, so every thread that exists is lowered
// then, and the ones started later (libuv's pool, DuckDB's, which run the conversions) inherit it.
//
// Where Linux's autogroup scheduling is on (the default on many kernels), nice values weigh
// threads only within their session's group, and this process leads a session of its own (it
// is started detached): its group gets as much CPU as the broker's session whatever its threads'
// nice values. Lowering the group's nice value too was measured and left out: it starved
// delivery under full load (publish -> Parquet 70-79k against 87-91k batched readings/s) for no
// clear gain in PUBACK p99 (docs/benchmarks.md, "Local twin", runs 11-17).
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { BufferLogger } from './logger.ts';

/** Nice value of the delivery process (0 = normal, 19 = lowest). */
export const DELIVERY_NICENESS = 10;

/** Lowers the scheduling priority of the calling process, all its threads, to `niceness`; returns whether it did. */
export function lowerProcessPriority(niceness: number, logger: BufferLogger): boolean {
  try {
    if (process.platform !== 'linux') {
      setPriority(niceness); // process-wide elsewhere
      return true;
    }
    // setpriority() on a Linux TID affects that thread alone.
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), niceness);
    return true;
  } catch (error) {
    logger.debug({ err: error }, 'buffer: could not lower the delivery process\'s priority');
    return false;
  }
}
