// Segment delivery in a child process: the broker's process keeps only the rule, the spool
// append, the group-commit fsync and the PUBACK, while the delivery process reads sealed
// segments, transforms, writes raw objects and runs the converter with its own DuckDB, at a
// lower priority while it keeps up (background-priority.ts).
//
// A process rather than a worker thread: DuckDB runs its queries on libuv's thread pool, and a
// worker thread shares that pool (and its normal priority) with the broker, so conversions
// would compete with the spool's writes and fsyncs for the pool and with the broker for the
// CPU. A process has its own pool, heap and garbage collector, and a crash in native code
// cannot take the broker down.
//
// The buffer's guarantees hold across the process boundary because the broker's process still
// owns the spool: a segment is released only after the delivery process has answered for it,
// so a crash (of either process) leaves it to be replayed, and the undelivered bytes that
// drive backpressure are the spool's. The delivery process exits when its parent goes away.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RetryPolicy, SegmentDeliveryResult } from './deliver-segment.ts';
import { DEFAULT_RETRY } from './deliver-segment.ts';
import type { BufferLogger } from './logger.ts';
import { TWIN_STREAM, type SegmentDelivery } from './segment-delivery.ts';

export interface DeliveryProcessConfig {
  /** The lake folder (the delivery process opens its own FolderStore on it). */
  lake: string;
  stream: string;
  retry: RetryPolicy;
}

export type ToDeliveryProcess =
  | { type: 'deliver'; requestId: number; segment: { id: number; file: string } }
  | { type: 'pace'; behind: boolean }
  | { type: 'close' };

export type FromDeliveryProcess =
  | { type: 'result'; requestId: number; result: SegmentDeliveryResult }
  | { type: 'failed'; requestId: number; error: Error }
  | { type: 'log'; level: keyof BufferLogger; object: object; message: string };

/** The delivery process's entry file: also how to find the process in a process listing. */
export const DELIVERY_PROCESS_ENTRY = fileURLToPath(new URL('./delivery-process.ts', import.meta.url));
// The sources are TypeScript: the child loads tsx's hooks first (resolved here, so the child
// finds them whatever its working directory).
const TSX_LOADER = import.meta.resolve('tsx');

export interface ProcessDeliveryOptions {
  lake: string;
  stream?: string;
  retry?: RetryPolicy;
  logger: BufferLogger;
}

interface Pending { resolve: (result: SegmentDeliveryResult) => void; reject: (error: Error) => void }

/** Starts the delivery process now (tsx and DuckDB take a moment), and again if it ever dies. */
export function processDelivery({ lake, stream = TWIN_STREAM, retry = DEFAULT_RETRY, logger }: ProcessDeliveryOptions): SegmentDelivery {
  const config: DeliveryProcessConfig = { lake, stream, retry };
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let child: ChildProcess | null = null;
  let closing = false;
  /** The last pace the buffer reported: a restarted process starts lowered and is told again. */
  let behind = false;

  // Idle, the delivery process does not keep the broker's process alive; a delivery under way does.
  const hold = (running: ChildProcess, held: boolean): void => {
    if (held) {
      running.ref();
      running.channel?.ref();
    } else {
      running.unref();
      running.channel?.unref();
    }
  };

  const start = (): ChildProcess => {
    const started = fork(DELIVERY_PROCESS_ENTRY, [JSON.stringify(config)], {
      execArgv: ['--import', TSX_LOADER],
      serialization: 'advanced', // Error objects cross intact
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // A process group of its own: Ctrl-C in a terminal signals the broker's group, and the
      // broker still needs this process to deliver what is buffered before it stops (a signal
      // arriving while the child is still loading would kill it before it could ignore it).
      // It ends when the broker closes it, or when the IPC channel goes with the broker.
      detached: true,
    });
    started.on('message', (message: FromDeliveryProcess) => {
      if (message.type === 'log') {
        logger[message.level](message.object, message.message);
      } else if (message.type === 'result' || message.type === 'failed') {
        const request = pending.get(message.requestId);
        pending.delete(message.requestId);
        if (message.type === 'result') request?.resolve(message.result);
        else request?.reject(message.error);
        if (pending.size === 0) hold(started, false);
      }
    });
    let failure: Error | undefined;
    started.on('error', (error) => {
      failure = error;
      logger.error({ err: error }, 'buffer: delivery process failed');
    });
    started.on('exit', (code, signal) => {
      if (child === started) child = null;
      if (!closing || pending.size > 0) logger.warn({ code, signal }, 'buffer: delivery process exited');
      // A segment whose delivery was under way stays in the spool; the buffer retries it.
      const error = new Error(`delivery process exited (${signal ?? `code ${code}`}) during a delivery${failure ? `: ${failure.message}` : ''}`, { cause: failure });
      for (const request of pending.values()) request.reject(error);
      pending.clear();
    });
    hold(started, false);
    if (behind) started.send({ type: 'pace', behind } satisfies ToDeliveryProcess);
    return started;
  };
  child = start();

  return {
    // Two at a time: while DuckDB converts one segment, the transform works on the next.
    concurrency: 2,
    setBehind(isBehind) {
      behind = isBehind;
      if (child?.connected) child.send({ type: 'pace', behind } satisfies ToDeliveryProcess);
    },
    deliver(segment) {
      if (closing) return Promise.reject(new Error('delivery process is closed'));
      child ??= start();
      const requestId = nextId++;
      const running = child;
      return new Promise((resolve, reject) => {
        pending.set(requestId, { resolve, reject });
        hold(running, true);
        running.send({ type: 'deliver', requestId, segment } satisfies ToDeliveryProcess);
      });
    },
    async close() {
      closing = true;
      const running = child;
      if (running === null || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      hold(running, true);
      if (running.connected) running.send({ type: 'close' } satisfies ToDeliveryProcess);
      // A process that does not wind down on its own (stuck in native code) is stopped.
      const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
