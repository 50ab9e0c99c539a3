// Delivery is background work that backpressure already keeps bounded, while the broker's
// PUBACKs are what devices wait for: on a machine with few cores, the delivery thread should
// get the CPU only when the broker does not need it. On Linux the nice value is per thread, so
// the delivery worker lowers its own (the transform runs there). DuckDB's threads are started
// from libuv's pool and keep the normal priority. Elsewhere this does nothing.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { BufferLogger } from './logger.ts';

/** Nice value of the delivery thread (0 = normal, 19 = lowest). */
export const DELIVERY_NICENESS = 10;

/** Lowers the calling thread's scheduling priority to `niceness` (Linux only); returns whether it did. */
export function lowerThreadPriority(niceness: number, logger: BufferLogger): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // /proc/thread-self -> /proc/<pid>/task/<tid>; setpriority() on a TID affects that thread alone.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, niceness);
    return true;
  } catch (error) {
    logger.debug({ err: error }, 'buffer: could not lower the delivery thread\'s priority');
    return false;
  }
}
