// Delivery is background work that backpressure already keeps bounded, while the broker's
// PUBACKs are what devices wait for: on a machine with few cores, delivery should get the CPU
// only when the broker does not need it. Delivery runs in a process of its own
// (process-delivery.ts), which lowers its own priority as it starts. On Linux a nice value is
// per thread and new threads inherit their creator's, so every thread that exists is lowered
// then, and the ones started later (libuv's pool, DuckDB's, which run the conversions) inherit it.
//
// Thread nice values only weigh threads against others of the same autogroup, though: with
// autogroup scheduling on (the default on desktop and many server kernels), Linux first shares
// the CPU equally between sessions, and the delivery process leads a session of its own (it is
// started detached). So it also lowers its autogroup's nice value; without that, a delivery
// took half the CPU from the broker and PUBACK p99 rose tenfold (docs/benchmarks.md).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { BufferLogger } from './logger.ts';

/** Nice value of the delivery process (0 = normal, 19 = lowest). */
export const DELIVERY_NICENESS = 10;

export interface LoweredPriority {
  /** Every thread's nice value was set. */
  threads: boolean;
  /** The process's own autogroup's nice value was set (false where there is none, or it is shared). */
  autogroup: boolean;
}

/** Lowers the scheduling priority of the calling process, all its threads, and its own autogroup, to `niceness`. */
export function lowerProcessPriority(niceness: number, logger: BufferLogger): LoweredPriority {
  return { threads: lowerThreads(niceness, logger), autogroup: lowerOwnAutogroup(niceness, logger) };
}

function lowerThreads(niceness: number, logger: BufferLogger): boolean {
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

/**
 * Sets the nice value of this process's autogroup, only when the process leads its session:
 * an autogroup is a session, and lowering a shared one would lower the broker with it.
 */
function lowerOwnAutogroup(niceness: number, logger: BufferLogger): boolean {
  if (process.platform !== 'linux') return false;
  try {
    if (sessionId(readFileSync('/proc/self/stat', 'utf8')) !== process.pid) return false;
    writeFileSync('/proc/self/autogroup', String(niceness));
    return true;
  } catch (error) {
    // No autogroup support (the file is missing) or not allowed: thread nice values still apply within the session.
    logger.debug({ err: error }, 'buffer: could not lower the delivery process\'s autogroup priority');
    return false;
  }
}

/** The session id field of a /proc/<pid>/stat line (the command name in parentheses may hold spaces). */
export function sessionId(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[3]);
}
