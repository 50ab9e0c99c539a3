// What a benchmark ran on, printed above its tables and stored with its JSON results.
import os from 'node:os';
import type { DuckDBInstance } from '@duckdb/node-api';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  platform: string;
  node: string;
  duckdb: string;
  /** 1, 5 and 15 minute load averages when the run started: a busy machine makes timings noisy. */
  loadAverage: number[];
}

export async function machineInfo(duckdb: DuckDBInstance): Promise<MachineInfo> {
  const connection = await duckdb.connect();
  try {
    const version = (await connection.runAndReadAll('SELECT version()')).getRows()[0]?.[0];
    return {
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores: os.availableParallelism(),
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      duckdb: String(version),
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    };
  } finally {
    connection.closeSync();
  }
}
