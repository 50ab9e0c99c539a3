import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../../infra/aws/handlers/compact.ts';
import { compactedFileName } from '../../../../pipeline/convert/compact.ts';
import { convertRawObject } from '../../../../pipeline/convert/converter.ts';
import { openDuckDb } from '../../../../pipeline/query/duckdb.ts';
import type { ObjectStore } from '../../../../pipeline/storage/object-store.ts';
import { BUCKET, captureOutput, context, meterReadings, rawObject, ruleOutput } from './events.ts';

const s3 = mockClient(S3Client);
/** The curated files two overlapping Firehose flushes leave for one day (the same three readings twice). */
const curated = new Map<string, Uint8Array>();
let output: ReturnType<typeof captureOutput> | undefined;

beforeAll(async () => {
  const objects = new Map<string, Uint8Array>();
  const memory: ObjectStore = {
    put: async (key, body) => { objects.set(key, body); },
    get: async (key) => objects.get(key)!,
    list: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(),
    delete: async (key) => { objects.delete(key); },
  };
  const duckdb = await openDuckDb();
  for (const minute of ['10-15', '10-20']) {
    const rawKey = `raw/readings/dt=2026-03-01/wattlake-dev-readings-1-2026-03-01-${minute}-00-4f1c9a2e.jsonl.gz`;
    await memory.put(rawKey, rawObject([ruleOutput('meter-0001', meterReadings(1520.25))]));
    for (const file of (await convertRawObject({ store: memory, rawKey, duckdb })).readings) curated.set(file.key, objects.get(file.key)!);
  }
});

beforeEach(() => {
  s3.reset();
  vi.stubEnv('LAKE_BUCKET', BUCKET);
  s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
  s3.on(ListObjectsV2Command, { Bucket: BUCKET, Prefix: 'curated/readings/' }).resolves({ Contents: [...curated.keys()].map((Key) => ({ Key })), IsTruncated: false });
  s3.on(ListObjectsV2Command, { Bucket: BUCKET, Prefix: 'curated/rejected_readings/' }).resolves({ Contents: [], IsTruncated: false });
  for (const [Key, bytes] of curated) s3.on(GetObjectCommand, { Bucket: BUCKET, Key }).callsFake(async () => ({ Body: sdkStreamMixin(Readable.from([bytes])) }));
  s3.on(PutObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
  output = captureOutput();
});
afterEach(() => {
  output?.restore();
  vi.unstubAllEnvs();
});

describe('compaction Lambda shell', () => {
  it('merges a day\'s curated files on the scheduler\'s (empty) event, writing the new file before deleting the old ones', async () => {
    const summary = await handler({}, context('wattlake-dev-compact'));
    output?.restore();
    expect(curated.size).toBe(2);
    expect(summary).toEqual({ partitions: 1, filesIn: 2, filesOut: 1, rowsIn: 6, rowsOut: 3 });
    const inputs = [...curated.keys()];
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([`curated/readings/dt=2026-03-01/${compactedFileName(inputs, 0)}`]);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key).sort()).toEqual(inputs.sort());
  });

  it('limits itself to the day an invocation names', async () => {
    await handler({ day: '2026-03-01' }, context('wattlake-dev-compact'));
    output?.restore();
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix)).toEqual(['curated/readings/dt=2026-03-01/', 'curated/rejected_readings/dt=2026-03-01/']);
  });
});
