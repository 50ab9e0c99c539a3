// The local twin, composed: broker (IoT Core) -> durable buffer (Firehose: rule output spooled
// before PUBACK, transform, delivery, converter) -> lake folder (S3), plus /metrics, the
// dashboard routes and the scheduler (EventBridge). Every part is a thin wrapper around the
// same pipeline code the AWS stack runs.
import { resolve } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { Logger } from 'pino';
import { compactLake } from '../../pipeline/convert/compact.ts';
import { openDuckDb } from '../../pipeline/query/duckdb.ts';
import { FolderStore } from '../../pipeline/storage/folder-store.ts';
import { startBroker, type RunningBroker } from './broker/server.ts';
import { openDurableBuffer, type BufferHints, type DurableBuffer } from './buffer/durable-buffer.ts';
import { processDelivery } from './buffer/process-delivery.ts';
import { startHttpServer, type Route, type RunningHttpServer } from './http-server.ts';
import { createTwinMetrics } from './metrics.ts';
import { startScheduler, type ScheduledJob, type Scheduler } from './scheduler.ts';

/** Firehose's defaults with dynamic partitioning: 64 MiB or 60 s, whichever comes first. */
export const DEFAULT_BUFFER_HINTS: BufferHints = { sizeMb: 64, intervalSeconds: 60 };

export interface TwinOptions {
  lake: string;
  stateDir: string;
  /** mqtts port (0 = any free port). */
  port: number;
  /** HTTP port for /metrics and the dashboard (0 = any free port). */
  httpPort: number;
  host?: string;
  insecureDevPort?: number;
  bufferHints?: BufferHints;
  logger: Logger;
  /** Extra HTTP routes (the dashboard). */
  routes?: (twin: { duckdb: DuckDBInstance; lake: string }) => Route[];
  /** Extra scheduled jobs (reports). */
  jobs?: (twin: { duckdb: DuckDBInstance; store: FolderStore; lake: string }) => ScheduledJob[];
}

export interface Twin {
  lake: string;
  stateDir: string;
  duckdb: DuckDBInstance;
  store: FolderStore;
  buffer: DurableBuffer;
  broker: RunningBroker;
  http: RunningHttpServer;
  scheduler: Scheduler;
  /** Stops accepting devices, delivers everything spooled, stops the rest. */
  close(): Promise<void>;
}

export async function startTwin(options: TwinOptions): Promise<Twin> {
  const lake = resolve(options.lake);
  const stateDir = resolve(options.stateDir);
  const { logger } = options;
  const duckdb = await openDuckDb();
  const store = new FolderStore(lake);
  // What is running so far, stopped again (newest first) if a later part cannot start, e.g. a
  // port in use: a listening HTTP server would otherwise keep the process alive after the error.
  const undo: (() => Promise<void> | void)[] = [() => duckdb.closeSync()];
  const started: { broker?: RunningBroker } = {}; // metrics are registered before the broker listens
  let buffer: DurableBuffer, http: RunningHttpServer, broker: RunningBroker;
  try {
    // The buffer replays any spool a previous run left undelivered before devices come back.
    // Deliveries (transform, raw objects, converter) run in a child process with its own DuckDB,
    // at a lower priority, off the event loop and thread pool that serve the devices.
    const bufferLogger = logger.child({ component: 'buffer' });
    buffer = await openDurableBuffer({
      stateDir, delivery: processDelivery({ lake, logger: bufferLogger }), bufferHints: options.bufferHints ?? DEFAULT_BUFFER_HINTS, logger: bufferLogger,
    });
    undo.push(buffer.close);
    const metrics = createTwinMetrics({ broker: () => started.broker, buffer });
    http = await startHttpServer({ port: options.httpPort, host: options.host, metrics, routes: options.routes?.({ duckdb, lake }) ?? [] });
    undo.push(http.close);
    broker = await startBroker({
      stateDir, port: options.port, host: options.host, sink: buffer.sink,
      ...(options.insecureDevPort !== undefined ? { insecureDevPort: options.insecureDevPort } : {}),
      logger: logger.child({ component: 'broker' }),
    });
  } catch (error) {
    for (const stop of undo.reverse()) await Promise.resolve().then(stop).catch(() => undefined);
    throw error;
  }
  started.broker = broker;
  const scheduler = startScheduler([
    { name: 'compaction', cron: '30 0 * * *', run: async () => { await compactLake({ store, duckdb }); } },
    ...(options.jobs?.({ duckdb, store, lake }) ?? []),
  ], logger.child({ component: 'scheduler' }));
  logger.info({ lake, stateDir, mqttsPort: broker.port, httpPort: http.port }, 'twin: started');

  let closing: Promise<void> | undefined;
  return {
    lake, stateDir, duckdb, store, buffer, broker, http, scheduler,
    close() {
      closing ??= (async () => {
        scheduler.stop();
        await broker.close();
        await buffer.close();
        await http.close();
        duckdb.closeSync();
        logger.info({}, 'twin: stopped');
      })();
      return closing;
    },
  };
}
