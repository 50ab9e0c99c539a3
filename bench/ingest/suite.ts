// The ingest suite: transform, converter and peer writers measured on one dataset in one run.
// Stages run in sequence and each drops its bulky inputs before the next, to bound peak memory.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb } from '../../pipeline/query/duckdb.ts';
import { FolderStore } from '../../pipeline/storage/folder-store.ts';
import type { Log } from '../measure.ts';
import { benchConvert, type ConvertBenchResult } from './convert.bench.ts';
import { buildDataset } from './dataset.ts';
import { benchPeers, type PeersResult } from './peers.ts';
import { writeRawObjects, type RawObjects } from './raw-objects.ts';
import { benchTransform, type TransformBenchResult } from './transform.bench.ts';

export interface IngestOptions {
  devices: number;
  readingsPerDevice: number;
  reps: number;
  log: Log;
}

export interface IngestResult {
  params: { devices: number; readingsPerDevice: number; reps: number };
  dataset: { messages: number; readings: number; redelivered: number; invocations: number; inputBytes: number };
  raw: Omit<RawObjects, 'rawKeys'> & { objects: number };
  transform: TransformBenchResult;
  convert: ConvertBenchResult;
  peers: PeersResult;
  /** Peak resident set size of the whole process so far. */
  peakRssBytes: number;
  /** 1-minute load average when the suite ended (the machine info has it at the start). */
  loadAverageAtEnd: number;
}

export async function runIngestSuite({ devices, readingsPerDevice, reps, log }: IngestOptions): Promise<IngestResult> {
  const work = await mkdtemp(join(tmpdir(), 'wattlake-bench-'));
  try {
    const store = new FolderStore(join(work, 'lake'));
    const { dataset, transform, raw } = await transformStage({ devices, readingsPerDevice, reps, log }, store);
    const duckdb = await openDuckDb();
    try {
      const convert = await benchConvert({ store, rawKeys: raw.rawKeys, duckdb, workDir: work, reps, log });
      const peers = await benchPeers({ store, rawKeys: raw.rawKeys, duckdb, workDir: work, reps, log });
      const { rawKeys, ...rawInfo } = raw;
      return {
        params: { devices, readingsPerDevice, reps }, dataset, raw: { ...rawInfo, objects: rawKeys.length }, transform, convert, peers,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      };
    } finally {
      duckdb.closeSync();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The Firehose invocations live only here: measured, turned into raw objects, then released. */
async function transformStage({ devices, readingsPerDevice, reps, log }: IngestOptions, store: FolderStore): Promise<{
  dataset: IngestResult['dataset']; transform: TransformBenchResult; raw: RawObjects;
}> {
  log(`building dataset: ${devices} devices x ${readingsPerDevice} readings…`);
  const data = buildDataset({ devices, readingsPerDevice });
  const transform = await benchTransform({ dataset: data, reps, log });
  log('writing raw objects (transform + Firehose-style delivery)…');
  const raw = await writeRawObjects({ dataset: data, store });
  const dataset = { messages: data.messages, readings: data.readings, redelivered: data.redelivered, invocations: data.invocations.length, inputBytes: data.inputBytes };
  return { dataset, transform, raw };
}
