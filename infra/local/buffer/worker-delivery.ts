// Segment delivery in a worker thread: the broker's event loop keeps only the rule, the spool
// append, the group-commit fsync and the PUBACK, while the worker reads sealed segments,
// transforms, writes raw objects and runs the converter with its own DuckDB. The buffer's
// guarantees hold across the thread boundary because the main thread still owns the spool:
// a segment is released only after the worker has answered for it, so a crash (of the worker
// or the process) leaves it to be replayed, and the undelivered bytes that drive backpressure
// are the spool's.
//
// The worker is TypeScript like the rest: a small ESM bootstrap registers tsx in the worker
// (loader hooks are per thread) and then imports delivery-worker.ts.
import { Worker } from 'node:worker_threads';
import type { RetryPolicy, SegmentDeliveryResult } from './deliver-segment.ts';
import { DEFAULT_RETRY } from './deliver-segment.ts';
import type { BufferLogger } from './logger.ts';
import { TWIN_STREAM, type SegmentDelivery } from './segment-delivery.ts';

export interface DeliveryWorkerData {
  /** The lake folder (the worker opens its own FolderStore on it). */
  lake: string;
  stream: string;
  retry: RetryPolicy;
}

export type ToDeliveryWorker =
  | { type: 'deliver'; requestId: number; segment: { id: number; file: string } }
  | { type: 'close' };

export type FromDeliveryWorker =
  | { type: 'ready' }
  | { type: 'result'; requestId: number; result: SegmentDeliveryResult }
  | { type: 'failed'; requestId: number; error: Error }
  | { type: 'log'; level: keyof BufferLogger; object: object; message: string };

const WORKER_MODULE = new URL('./delivery-worker.ts', import.meta.url).href;
// Resolved here, as an import: an eval'd worker resolves bare names from the working directory.
const TSX_API = import.meta.resolve('tsx/esm/api');
const BOOTSTRAP = `const { register } = await import(${JSON.stringify(TSX_API)});
register();
await import(${JSON.stringify(WORKER_MODULE)});`;

export interface WorkerDeliveryOptions {
  lake: string;
  stream?: string;
  retry?: RetryPolicy;
  logger: BufferLogger;
}

interface Pending { resolve: (result: SegmentDeliveryResult) => void; reject: (error: Error) => void }

/** Starts the delivery worker now (DuckDB takes a moment to open), and again if it ever dies. */
export function workerDelivery({ lake, stream = TWIN_STREAM, retry = DEFAULT_RETRY, logger }: WorkerDeliveryOptions): SegmentDelivery {
  const data: DeliveryWorkerData = { lake, stream, retry };
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let worker: Worker | null = null;
  let closing = false;

  const start = (): Worker => {
    const started = new Worker(BOOTSTRAP, { eval: true, workerData: data });
    started.on('message', (message: FromDeliveryWorker) => {
      if (message.type === 'log') {
        logger[message.level](message.object, message.message);
      } else if (message.type === 'result' || message.type === 'failed') {
        const request = pending.get(message.requestId);
        pending.delete(message.requestId);
        if (message.type === 'result') request?.resolve(message.result);
        else request?.reject(message.error);
        if (pending.size === 0) started.unref();
      }
    });
    let failure: Error | undefined;
    started.on('error', (error) => {
      failure = error;
      logger.error({ err: error }, 'buffer: delivery worker failed');
    });
    started.on('exit', (code) => {
      if (worker === started) worker = null;
      // A segment whose delivery was under way stays in the spool; the buffer retries it.
      const error = new Error(`delivery worker exited (code ${code}) during a delivery${failure ? `: ${failure.message}` : ''}`, { cause: failure });
      for (const request of pending.values()) request.reject(error);
      pending.clear();
    });
    // Idle, the worker does not keep the process alive; a delivery under way does.
    started.unref();
    return started;
  };
  worker = start();

  return {
    // Two at a time: while DuckDB (its own threads) converts one segment, the worker's thread
    // transforms the next.
    concurrency: 2,
    deliver(segment) {
      if (closing) return Promise.reject(new Error('delivery worker is closed'));
      worker ??= start();
      const requestId = nextId++;
      const running = worker;
      return new Promise((resolve, reject) => {
        pending.set(requestId, { resolve, reject });
        running.ref();
        running.postMessage({ type: 'deliver', requestId, segment } satisfies ToDeliveryWorker);
      });
    },
    async close() {
      closing = true;
      const running = worker;
      if (running === null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.ref();
      running.postMessage({ type: 'close' } satisfies ToDeliveryWorker);
      // A worker that does not wind down on its own (stuck in native code) is stopped.
      const timer = setTimeout(() => void running.terminate(), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
