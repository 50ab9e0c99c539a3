// Where the durable buffer's deliveries run. The buffer (spool, fsync, PUBACK, backpressure)
// only hands over a sealed segment's file and releases the segment once `deliver` resolves;
// what happens in between (reading the file, transform, raw objects, converter) is behind
// this interface, in this thread (`inProcessDelivery`, for tests and tools) or in a child
// process (process-delivery.ts, the twin), so that it never holds up the broker.
import type { DuckDBInstance } from '@duckdb/node-api';
import type { ObjectStore } from '../../../pipeline/storage/object-store.ts';
import { DEFAULT_RETRY, deliverSegment, type RetryPolicy, type SegmentDeliveryResult } from './deliver-segment.ts';
import type { BufferLogger } from './logger.ts';
import { readSegmentFile } from './spool.ts';

export interface SegmentDelivery {
  /** Delivers a sealed segment's records (with retries, then the error output); rejects when not even that worked. */
  deliver(segment: { id: number; file: string }): Promise<SegmentDeliveryResult>;
  /** Segments it can take at once (default 1). */
  readonly concurrency?: number;
  /**
   * Told whether delivery is behind the spool (more than one sealed segment undelivered, or
   * publishes waiting for room), each time that changes. A delivery that leaves the CPU to the
   * broker while it keeps up must take its full share while behind (background-priority.ts).
   */
  setBehind?(behind: boolean): void;
  /** Called once the buffer is done with it (after its last delivery). */
  close(): Promise<void>;
}

export interface InProcessDeliveryOptions {
  store: ObjectStore;
  duckdb: DuckDBInstance;
  /** Prefix of raw object names, like a delivery stream's name. */
  stream?: string;
  retry?: RetryPolicy;
  logger: BufferLogger;
  now?: () => number;
}

/** The default stream name of the twin's raw objects. */
export const TWIN_STREAM = 'wattlake-twin';

export function inProcessDelivery({ store, duckdb, stream = TWIN_STREAM, retry = DEFAULT_RETRY, logger, now = Date.now }: InProcessDeliveryOptions): SegmentDelivery {
  return {
    async deliver({ file }) {
      const records = await readSegmentFile(file, logger);
      return deliverSegment({ records, store, duckdb, stream, retry, logger, now });
    },
    close: () => Promise.resolve(),
  };
}
