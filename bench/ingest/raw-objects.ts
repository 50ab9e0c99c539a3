// The converter benchmarks' input: the dataset transformed by the real Firehose transform and
// delivered the way the local twin's Firehose does it (Ok records' data concatenated per `dt`,
// gzipped, under a Firehose-style name), except that the whole dataset makes one raw object per
// day instead of one per flush. Gzip is streamed so the ~200 MB of JSON lines are never held whole.
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { firehoseObjectName, partitionOkRecords } from '../../infra/local/firehose-delivery.ts';
import type { FolderStore } from '../../pipeline/storage/folder-store.ts';
import { rawReadingsKey } from '../../pipeline/storage/keys.ts';
import { transformFirehoseEvent } from '../../pipeline/transform/firehose.ts';
import type { IngestDataset } from './dataset.ts';

export interface RawObjects {
  rawKeys: string[];
  /** JSON lines across all raw objects (accepted and quarantined readings). */
  lines: number;
  /** Compressed size on disk. */
  bytes: number;
  /** Records the transform failed as a whole (a healthy dataset has none). */
  failedRecords: number;
}

interface GzipBody { gzip: Gzip; parts: Buffer[] }

function gzipBody(): GzipBody {
  const body: GzipBody = { gzip: createGzip(), parts: [] };
  body.gzip.on('data', (part: Buffer) => body.parts.push(part));
  return body;
}

export async function writeRawObjects({ dataset, store }: { dataset: IngestDataset; store: FolderStore }): Promise<RawObjects> {
  const byDay = new Map<string, GzipBody>();
  let lines = 0;
  let failedRecords = 0;
  for (const records of dataset.invocations) {
    const { response, stats } = transformFirehoseEvent({ records });
    lines += stats.accepted + Object.values(stats.rejected).reduce((n, k) => n + k, 0);
    failedRecords += Object.values(stats.failedRecords).reduce((n, k) => n + (k ?? 0), 0);
    for (const [dt, text] of partitionOkRecords(response)) {
      const body = byDay.get(dt) ?? gzipBody();
      byDay.set(dt, body);
      body.gzip.write(text);
      if (body.gzip.writableNeedDrain) await once(body.gzip, 'drain');
    }
  }
  const rawKeys: string[] = [];
  let bytes = 0;
  for (const [dt, body] of [...byDay].sort(([a], [b]) => a.localeCompare(b))) {
    body.gzip.end();
    await finished(body.gzip);
    const key = rawReadingsKey(dt, firehoseObjectName('wattlake-bench', Date.now(), '.gz'));
    await store.put(key, Buffer.concat(body.parts));
    rawKeys.push(key);
    bytes += (await stat(store.pathOf(key))).size;
  }
  return { rawKeys, lines, bytes, failedRecords };
}
