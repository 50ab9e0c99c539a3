// The two systems the twin suite loads in turn, both on the same state folder (CA, registry,
// server certificate), so devices connect to each with the same mutual TLS and IoT policy:
// - aedes alone: the twin's broker (aedes + TLS + policy hooks) with a sink that acknowledges
//   at once: no spool, no fsync, no transform, no Parquet. What MQTT over TLS costs by itself.
// - the twin: the same broker in front of the durable buffer, transform and converter (these
//   two in the twin's delivery process).
import { pino } from 'pino';
import { startBroker } from '../../infra/local/broker/server.ts';
import type { BufferHints, DurableBufferStats } from '../../infra/local/buffer/durable-buffer.ts';
import { DELIVERY_PROCESS_ENTRY } from '../../infra/local/buffer/process-delivery.ts';
import { startTwin } from '../../infra/local/twin.ts';
import { createLakeViews } from '../../pipeline/query/catalog.ts';
import { childProcessCpuMs, ownCpuMs } from './process-cpu.ts';

export type SystemName = 'aedes' | 'twin';

export interface SystemUnderTest {
  name: SystemName;
  port: number;
  /** Resolves once everything acknowledged so far is in curated Parquet (the twin's flush); at once for aedes. */
  settle(): Promise<void>;
  /** Rows in the lake's `readings` table (null for aedes, which keeps nothing). */
  storedReadings(): Promise<number | null>;
  bufferStats(): DurableBufferStats | null;
  /** CPU milliseconds the system has used so far, in this process and in any process of its own. */
  cpuMs(): number;
  close(): Promise<void>;
}

const silent = pino({ level: 'silent' });

export async function startAedesAlone(stateDir: string): Promise<SystemUnderTest> {
  const broker = await startBroker({ stateDir, port: 0, sink: () => Promise.resolve(), logger: silent });
  return {
    name: 'aedes', port: broker.port,
    settle: () => Promise.resolve(),
    storedReadings: () => Promise.resolve(null),
    bufferStats: () => null,
    cpuMs: ownCpuMs,
    close: () => broker.close(),
  };
}

export async function startTwinSystem({ stateDir, lake, bufferHints }: { stateDir: string; lake: string; bufferHints: BufferHints }): Promise<SystemUnderTest> {
  const twin = await startTwin({ lake, stateDir, port: 0, httpPort: 0, bufferHints, logger: silent });
  return {
    name: 'twin', port: twin.broker.port,
    settle: () => twin.buffer.flush(),
    async storedReadings() {
      const connection = await twin.duckdb.connect();
      try {
        await createLakeViews(connection, lake);
        return Number((await connection.runAndReadAll('SELECT count(*) FROM readings')).getRows()[0]?.[0]);
      } finally {
        connection.closeSync();
      }
    },
    bufferStats: () => twin.buffer.stats,
    cpuMs: () => ownCpuMs() + childProcessCpuMs(DELIVERY_PROCESS_ENTRY),
    close: () => twin.close(),
  };
}
