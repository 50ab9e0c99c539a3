// The delivery worker thread (started by worker-delivery.ts): its own DuckDB and folder store
// on the lake, and the same in-process delivery as everywhere else. It answers each request
// with the delivery's result, and forwards log lines to the main thread's logger.
import { parentPort, workerData } from 'node:worker_threads';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { DELIVERY_NICENESS, lowerThreadPriority } from './background-priority.ts';
import type { BufferLogger } from './logger.ts';
import { inProcessDelivery } from './segment-delivery.ts';
import type { FromDeliveryWorker, ToDeliveryWorker, DeliveryWorkerData } from './worker-delivery.ts';

const port = parentPort;
if (port === null) throw new Error('delivery-worker.ts runs as a worker thread');
const send = (message: FromDeliveryWorker): void => port.postMessage(message);
const { lake, stream, retry } = workerData as DeliveryWorkerData;

const forward = (level: keyof BufferLogger) => (object: object, message: string): void => send({ type: 'log', level, object, message });
const logger: BufferLogger = { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };

lowerThreadPriority(DELIVERY_NICENESS, logger);
const duckdb = await openDuckDb();
const delivery = inProcessDelivery({ store: new FolderStore(lake), duckdb, stream, retry, logger });

port.on('message', (message: ToDeliveryWorker) => {
  if (message.type === 'close') {
    port.close();
    duckdb.closeSync();
    return;
  }
  const { requestId, segment } = message;
  delivery.deliver(segment).then(
    (result) => send({ type: 'result', requestId, result }),
    (error: unknown) => send({ type: 'failed', requestId, error: error instanceof Error ? error : new Error(String(error)) }),
  );
});
send({ type: 'ready' });
