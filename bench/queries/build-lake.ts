// The query benchmark's lake, built the way production builds it: a simulated fleet at 15-minute
// cadence goes through the real IoT rule and Firehose transform, one raw object per 15 minutes of
// data (a Firehose flush), each converted by the real converter into its own small Parquet files;
// compaction then merges each day. Reference tables give every site a timezone, a tariff and a
// grid region, so every query has work to do.
import { readFileSync } from 'node:fs';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import { fleetDevices, generateFleetMessages, type FleetMessage } from '../../firmware/simulator/fleet.ts';
import { deliverToLake, partitionOkRecords } from '../../infra/local/firehose-delivery.ts';
import { compactLake } from '../../pipeline/convert/compact.ts';
import { convertRawObject } from '../../pipeline/convert/converter.ts';
import { formatCsv } from '../../pipeline/reference/csv.ts';
import { installReferenceTable } from '../../pipeline/reference/install.ts';
import { readingsRule as rule } from '../../pipeline/rule/readings-rule.ts';
import type { FolderStore } from '../../pipeline/storage/folder-store.ts';
import { transformFirehoseEvent } from '../../pipeline/transform/firehose.ts';
import type { Log } from '../measure.ts';
import { DAY_MS } from '../../pipeline/schema/ids.ts';

export const CADENCE_MS = 15 * 60_000;
/** Firehose-sized flushes: one raw object per this much data time. */
export const FLUSH_MS = 15 * 60_000;
/** Readings per message: a box sends its four quarter-hour readings once an hour. */
export const BATCH_SIZE = 4;
const TIMEZONES = ['Europe/Stockholm', 'America/New_York'] as const;
const EXAMPLES = new URL('../../examples/reference/', import.meta.url);

export interface QueryLakeOptions {
  store: FolderStore;
  duckdb: DuckDBInstance;
  devices: number;
  days: number;
  /** First day, UTC midnight. */
  start: string;
  /** Called once after the first `pauseAfterDays` days are converted (before any compaction). */
  onPause?: { afterDays: number; run: () => Promise<void> };
  log: Log;
}

export interface QueryLakeBuild {
  devices: number;
  sites: number;
  days: number;
  readings: number;
  messages: number;
  rawObjects: number;
  convertedFiles: number;
  buildMs: number;
  /** Compaction, the rollup refresh included. */
  compactMs: number;
  compactedPartitions: number;
  /** Days the rollup rebuilt, and the watermark it published. */
  rollupDays: number;
  closedUntil: string;
}

export const sitesFor = (devices: number): number => Math.max(1, Math.round(devices / 50));

/** sites.csv for the fleet: alternating Stockholm and New York sites with the example tariffs and regions. */
export function benchSitesCsv(sites: number): string {
  const layout = fleetDevices({ devices: sites, sites, timezones: TIMEZONES });
  return formatCsv(['site_id', 'name', 'timezone', 'tariff_id', 'region', 'contracted_capacity_kw'], layout.map((d, i) => {
    const stockholm = d.timezone === 'Europe/Stockholm';
    return [d.siteId, `Bench site ${i + 1}`, d.timezone, stockholm ? 'se-tou' : 'us-flat', stockholm ? 'SE3' : 'US-NY', '250'];
  }));
}

async function installReference(store: FolderStore, sites: number): Promise<void> {
  await installReferenceTable({ store, table: 'sites', body: benchSitesCsv(sites) });
  for (const table of ['tariffs', 'emission_factors'] as const) {
    await installReferenceTable({ store, table, body: readFileSync(new URL(`${table}.csv`, EXAMPLES)) });
  }
}

export async function buildQueryLake({ store, duckdb, devices, days, start, onPause, log }: QueryLakeOptions): Promise<QueryLakeBuild> {
  const startMs = Date.parse(`${start}T00:00:00Z`);
  const sites = sitesFor(devices);
  await installReference(store, sites);
  const began = performance.now();
  let readings = 0;
  let messages = 0;
  let rawObjects = 0;
  let convertedFiles = 0;
  let paused = false;

  // Messages come in publish order, so a flush window is a run of consecutive messages.
  let window: FleetMessage[] = [];
  let windowIndex = -1;
  const flush = async (): Promise<void> => {
    if (!window.length) return;
    const records: FirehoseTransformationEventRecord[] = window.map((message, i) => {
      const receivedAt = message.readyAt + 1_500;
      const out = rule.evaluate({ topic: message.topic, payload: Buffer.from(JSON.stringify(message.payload)), receivedAt });
      if (out === null) throw new Error(`rule did not select ${message.topic}`);
      return { recordId: String(i), approximateArrivalTimestamp: receivedAt, data: Buffer.from(out).toString('base64') };
    });
    const { response } = transformFirehoseEvent({ records });
    // What the twin's Firehose does with the response: one gzip raw object per dt.
    const { raw } = await deliverToLake({ store, stream: 'wattlake-bench', byDay: partitionOkRecords(response), errorLines: '', nowMs: (windowIndex + 1) * FLUSH_MS });
    for (const { key: rawKey } of raw) {
      rawObjects++;
      const converted = await convertRawObject({ store, rawKey, duckdb });
      convertedFiles += converted.readings.length + converted.rejected.length;
    }
    window = [];
  };

  let lastLoggedDay = -1;
  for (const message of generateFleetMessages({
    devices, sites, start: startMs, end: startMs + days * DAY_MS, cadenceMs: CADENCE_MS, batchSize: BATCH_SIZE,
    seed: 2025, resetProbability: 2e-5, tsFormat: 'mixed', timezones: TIMEZONES,
  })) {
    const index = Math.floor(message.readyAt / FLUSH_MS);
    if (index !== windowIndex) {
      await flush();
      windowIndex = index;
      const day = Math.floor((message.readyAt - startMs) / DAY_MS);
      if (onPause && !paused && day >= onPause.afterDays) {
        paused = true;
        await onPause.run();
      }
      if (day !== lastLoggedDay && day % 7 === 0) {
        lastLoggedDay = day;
        log(`queries bench: day ${day}/${days}, ${readings.toLocaleString('en-US')} readings, ${rawObjects} raw objects, ${((performance.now() - began) / 1000).toFixed(0)} s`);
      }
    }
    window.push(message);
    readings += message.payload.readings.length;
    messages++;
  }
  await flush();
  if (onPause && !paused) await onPause.run();
  const buildMs = performance.now() - began;
  log(`queries bench: converted ${readings.toLocaleString('en-US')} readings into ${convertedFiles} files; compacting`);
  const compactStart = performance.now();
  const compacted = await compactLake({ store, duckdb });
  const compactMs = performance.now() - compactStart;
  return { devices, sites, days, readings, messages, rawObjects, convertedFiles, buildMs, compactMs, compactedPartitions: compacted.partitions.length,
    rollupDays: compacted.rollup.rebuiltDays.length, closedUntil: compacted.rollup.closedUntil };
}
