// The delivery process (started by process-delivery.ts): lowers its own priority, opens its
// own DuckDB and folder store on the lake, and runs the same in-process delivery as everywhere
// else. It answers each request with the delivery's result, forwards log lines to the broker
// process's logger, and exits when that process goes away (its segments are replayed there).
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { DELIVERY_NICENESS, KEEPING_UP_AUTOGROUP_NICENESS, lowerProcessPriority, ownAutogroupApplies, runProcessAsIdle, setOwnAutogroupNiceness } from './background-priority.ts';
import type { BufferLogger } from './logger.ts';
import type { DeliveryProcessConfig, FromDeliveryProcess, ToDeliveryProcess } from './process-delivery.ts';
import { inProcessDelivery } from './segment-delivery.ts';

if (process.send === undefined) throw new Error('delivery-process.ts runs as a child process with an IPC channel');
const send = (message: FromDeliveryProcess): void => {
  if (process.connected) process.send?.(message);
};
process.on('disconnect', () => process.exit(0));
// The broker's process decides when this one ends (the close message, or the channel closing
// when it is gone): it needs this one to deliver what is buffered before it stops. This process
// has a process group of its own (so a terminal's Ctrl-C does not reach it), and signals sent to
// it all the same, e.g. a service manager's SIGTERM to every process of the service, are ignored.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);

const forward = (level: keyof BufferLogger) => (object: object, message: string): void => send({ type: 'log', level, object, message });
const logger: BufferLogger = { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };

// Before DuckDB or libuv's pool start their threads, so that they inherit the lower priority.
lowerProcessPriority(DELIVERY_NICENESS, logger);
// Delivery starts as keeping up; the buffer says when it falls behind ('pace').
const setPace = (behind: boolean): boolean => setOwnAutogroupNiceness(behind ? 0 : KEEPING_UP_AUTOGROUP_NICENESS, logger);
if (setPace(false) && ownAutogroupApplies()) runProcessAsIdle(logger);
const { lake, stream, retry } = JSON.parse(process.argv[2] ?? '') as DeliveryProcessConfig;
// One DuckDB thread per conversion: on a machine with few cores the broker needs the others,
// and a conversion of one segment spends less CPU in all on one thread (no coordination)
// while the second segment under way uses the other core.
const duckdb = await openDuckDb({ threads: 1 });
const delivery = inProcessDelivery({ store: new FolderStore(lake), duckdb, stream, retry, logger });

process.on('message', (message: ToDeliveryProcess) => {
  if (message.type === 'close') {
    // The buffer closes its delivery only once no delivery is under way.
    duckdb.closeSync();
    process.exit(0);
  }
  if (message.type === 'pace') {
    setPace(message.behind);
    return;
  }
  const { requestId, segment } = message;
  delivery.deliver(segment).then(
    (result) => send({ type: 'result', requestId, result }),
    (error: unknown) => send({ type: 'failed', requestId, error: error instanceof Error ? error : new Error(String(error)) }),
  );
});
