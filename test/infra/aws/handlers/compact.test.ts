import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { COMPACTOR_ZONES } from '../../../../infra/aws/convert.ts';
import { handler } from '../../../../infra/aws/handlers/compact.ts';
import { compactedFileName } from '../../../../pipeline/convert/compact.ts';
import { convertRawObject } from '../../../../pipeline/convert/converter.ts';
import { openDuckDb } from '../../../../pipeline/query/duckdb.ts';
import { installReferenceTable } from '../../../../pipeline/reference/install.ts';
import { REFERENCE_TABLE_NAMES } from '../../../../pipeline/schema/reference.ts';
import { referenceKey, rollupKey } from '../../../../pipeline/storage/keys.ts';
import type { ObjectStore } from '../../../../pipeline/storage/object-store.ts';
import { BUCKET, captureOutput, context, meterReadings, rawObject, ruleOutput } from './events.ts';

const s3 = mockClient(S3Client);
const DAY = '2026-03-01';
/** The daily schedule's run (02:30 UTC) four days later: with two live days, the watermark is 2026-03-03. */
const SCHEDULED_RUN = Date.UTC(2026, 2, 5, 2, 30);
/** The curated files two overlapping Firehose flushes leave for one day (the same three readings twice). */
const curated = new Map<string, Uint8Array>();
let sitesCsv: Uint8Array;
/** The lake bucket as the mocked S3 holds it: what the shell lists, gets, puts and deletes. */
const bucket = new Map<string, Uint8Array>();
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
    const rawKey = `raw/readings/dt=${DAY}/wattlake-dev-readings-1-${DAY}-${minute}-00-4f1c9a2e.jsonl.gz`;
    await memory.put(rawKey, rawObject([ruleOutput('meter-0001', meterReadings(1520.25))]));
    for (const file of (await convertRawObject({ store: memory, rawKey, duckdb })).readings) curated.set(file.key, objects.get(file.key)!);
  }
  // Only the sites table is loaded: tariffs and emission factors are missing objects (S3 404s).
  const sites = await installReferenceTable({ store: memory, table: 'sites', body: 'site_id,name,timezone,tariff_id,region,contracted_capacity_kw\nsite-stockholm-01,Vasastan apartments,Europe/Stockholm,,,\n' });
  expect(sites.ok).toBe(true);
  sitesCsv = objects.get(referenceKey('sites'))!;
});

function onlyTheLakeBucket(name: string | undefined): void {
  if (name !== BUCKET) throw new Error(`unexpected bucket ${name}`);
}

beforeEach(() => {
  s3.reset();
  vi.stubEnv('LAKE_BUCKET', BUCKET);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(SCHEDULED_RUN);
  bucket.clear();
  for (const [key, bytes] of curated) bucket.set(key, bytes);
  bucket.set(referenceKey('sites'), sitesCsv);
  s3.on(ListObjectsV2Command).callsFake(async ({ Bucket, Prefix = '' }) => {
    onlyTheLakeBucket(Bucket);
    return { Contents: [...bucket.keys()].filter((k) => k.startsWith(Prefix)).sort().map((Key) => ({ Key })), IsTruncated: false };
  });
  s3.on(GetObjectCommand).callsFake(async ({ Bucket, Key }) => {
    onlyTheLakeBucket(Bucket);
    const bytes = bucket.get(Key);
    // What S3 answers for a missing key to a caller that may list its prefix (else 403 AccessDenied).
    if (!bytes) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return { Body: sdkStreamMixin(Readable.from([bytes])) };
  });
  s3.on(PutObjectCommand).callsFake(async ({ Bucket, Key, Body }) => {
    onlyTheLakeBucket(Bucket);
    bucket.set(Key, new Uint8Array(Body as Uint8Array));
    return {};
  });
  s3.on(DeleteObjectCommand).callsFake(async ({ Bucket, Key }) => {
    onlyTheLakeBucket(Bucket);
    bucket.delete(Key);
    return {};
  });
  output = captureOutput();
});
afterEach(() => {
  output?.restore();
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

/** Keys of every call of one command, in call order. */
const keysOf = (command: typeof GetObjectCommand | typeof PutObjectCommand | typeof DeleteObjectCommand): string[] =>
  s3.commandCalls(command as typeof GetObjectCommand).map((c) => c.args[0].input.Key ?? '');
const rows = async (key: string): Promise<Record<string, unknown>[]> => {
  const bytes = bucket.get(key);
  if (!bytes) throw new Error(`nothing was written to ${key}`);
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, compressors });
};

describe('compaction Lambda shell', () => {
  it('merges a day\'s curated files on the scheduler\'s (empty) event, deleting the old ones only after the rollup is published', async () => {
    const summary = await handler({}, context('wattlake-dev-compact'));
    output?.restore();
    expect(curated.size).toBe(2);
    expect(summary).toEqual({ partitions: 1, closedUntil: '2026-03-03', rollupDaysRebuilt: 1, filesIn: 2, filesOut: 1, rowsIn: 6, rowsOut: 3 });
    const inputs = [...curated.keys()];
    expect(keysOf(PutObjectCommand).filter((k) => k.startsWith('curated/'))).toEqual([`curated/readings/dt=${DAY}/${compactedFileName(inputs, 0)}`]);
    expect(keysOf(DeleteObjectCommand).sort()).toEqual(inputs.sort());
    // The anchors (with the watermark) are the rollup's last write; only then may the inputs go.
    const calls = s3.calls().map((c) => c.args[0]);
    const anchorsPut = calls.findIndex((c) => c instanceof PutObjectCommand && c.input.Key === rollupKey('rollup_anchors', null));
    const firstDelete = calls.findIndex((c) => c instanceof DeleteObjectCommand);
    expect(anchorsPut).toBeGreaterThan(-1);
    expect(firstDelete).toBeGreaterThan(anchorsPut);
  });

  it('writes the closed day\'s rollup to rollup/ keys, one object per table, with the timezone from the sites CSV', async () => {
    await handler({}, context('wattlake-dev-compact'));
    output?.restore();
    const rollupPuts = keysOf(PutObjectCommand).filter((k) => k.startsWith('rollup/'));
    expect([...rollupPuts].sort()).toEqual([
      rollupKey('rollup_anchors', null),
      rollupKey('device_days', DAY),
      rollupKey('interval_durations_closed', DAY),
      rollupKey('interval_slots_closed', DAY),
      rollupKey('local_readings_closed', DAY),
    ].sort());
    expect(rollupPuts.at(-1)).toBe('rollup/anchors/part.parquet');
    expect(rollupPuts).toContain(`rollup/interval_slots/dt=${DAY}/part.parquet`);

    // Three readings a minute apart, 0.021 kWh each step: two intervals in the 10:00 UTC slot.
    const slots = await rows(rollupKey('interval_slots_closed', DAY));
    expect(slots.map((r) => [r.device_id, r.timezone])).toEqual([['meter-0001', 'Europe/Stockholm'], ['meter-0001', 'Europe/Stockholm']]);
    expect(slots.reduce((sum, r) => sum + Number(r.kwh), 0)).toBeCloseTo(0.042, 9);
    expect(await rows(rollupKey('local_readings_closed', DAY))).toHaveLength(3);
    const anchors = await rows(rollupKey('rollup_anchors', null));
    expect(anchors.map((r) => [r.device_id, (r.closed_until as Date).toISOString()])).toEqual([['meter-0001', '2026-03-03T00:00:00.000Z']]);

    // Every reference table was asked for; the two that are not loaded were 404s, read as absent.
    expect(keysOf(GetObjectCommand)).toEqual(expect.arrayContaining(REFERENCE_TABLE_NAMES.map(referenceKey)));
  });

  it('logs and counts each refresh; the next day\'s run moves the watermark on from the published one', async () => {
    await handler({}, context('wattlake-dev-compact'));
    vi.setSystemTime(SCHEDULED_RUN + 86_400_000);
    const next = await handler({}, context('wattlake-dev-compact'));
    output?.restore();
    expect(next).toMatchObject({ partitions: 0, closedUntil: '2026-03-04', rollupDaysRebuilt: 0 });
    const lines = output!.lines();
    expect(lines.filter((l) => l.message === 'rollup refreshed').map((l) => [l.previousClosedUntil, l.closedUntil, l.rebuiltDays]))
      .toEqual([[undefined, '2026-03-03', 1], ['2026-03-03', '2026-03-04', 0]]);
    expect(lines.filter((l) => '_aws' in l).map((l) => [l.service, l.CompactedPartitions, l.RollupDaysRebuilt])).toEqual([['wattlake-compact', 1, 1], ['wattlake-compact', 0, 0]]);
  });

  it('leaves a day inside the live period to the live views: indexes it and publishes the watermark, rebuilds nothing', async () => {
    vi.setSystemTime(Date.UTC(2026, 2, 2, 2, 30));
    const summary = await handler({}, context('wattlake-dev-compact'));
    output?.restore();
    expect(summary).toMatchObject({ partitions: 1, closedUntil: '2026-02-28', rollupDaysRebuilt: 0 });
    expect(keysOf(PutObjectCommand).filter((k) => k.startsWith('rollup/')).sort()).toEqual([rollupKey('rollup_anchors', null), rollupKey('device_days', DAY)].sort());
    expect(await rows(rollupKey('rollup_anchors', null))).toEqual([]);
  });

  it('stays inside the compactor\'s IAM grants (COMPACTOR_ZONES) with every S3 request it makes', async () => {
    await handler({}, context('wattlake-dev-compact'));
    output?.restore();
    const zoneOf = (key: string): (typeof COMPACTOR_ZONES)[number] | undefined => COMPACTOR_ZONES.find((z) => key.startsWith(z.prefix));
    const listed = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix ?? '');
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((p) => !zoneOf(p))).toEqual([]);
    // A GET must also be listable: S3 answers 403, not 404, for a missing key its caller may not list.
    for (const [command, action] of [[GetObjectCommand, 's3:GetObject'], [PutObjectCommand, 's3:PutObject'], [DeleteObjectCommand, 's3:DeleteObject']] as const) {
      const keys = keysOf(command);
      expect(keys.length, action).toBeGreaterThan(0);
      expect(keys.filter((k) => !zoneOf(k)?.actions.includes(action)), action).toEqual([]);
    }
  });

  it('limits its compaction to the day an invocation names', async () => {
    const summary = await handler({ day: DAY }, context('wattlake-dev-compact'));
    output?.restore();
    expect(summary.partitions).toBe(1);
    const listed = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix);
    // Compaction lists only that day; the rollup refresh then lists the readings and its index.
    expect(listed.slice(0, 2)).toEqual([`curated/readings/dt=${DAY}/`, `curated/rejected_readings/dt=${DAY}/`]);
    expect(listed.filter((p) => p?.startsWith('curated/rejected_readings/'))).toEqual([`curated/rejected_readings/dt=${DAY}/`]);
  });
});
