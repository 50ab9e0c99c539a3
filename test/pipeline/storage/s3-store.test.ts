import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
// aws-sdk-client-mock's docs use @smithy/util-stream, which is not installed here; the same
// sdkStreamMixin ships in @smithy/core (a dependency of @aws-sdk/client-s3).
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidKeyError } from '../../../pipeline/storage/keys.ts';
import { ObjectNotFoundError } from '../../../pipeline/storage/object-store.ts';
import { S3Store } from '../../../pipeline/storage/s3-store.ts';

const BUCKET = 'wattlake-lake-123456789012-eu-north-1';
const KMS_KEY = 'arn:aws:kms:eu-north-1:123456789012:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b';
const RAW_KEY = 'raw/readings/dt=2026-11-21/wattlake-readings-1-2026-11-21-10-15-00-4f1c9a2e.gz';
const BODY = new TextEncoder().encode('{"site_id":"site-stockholm-01","device_id":"meter-0001","ts":1795256100000,"seq":1}\n');

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'eu-north-1' });

beforeEach(() => {
  s3.reset();
});

const bodyOf = (bytes: Uint8Array) => sdkStreamMixin(Readable.from([bytes]));

describe('S3Store.put', () => {
  it('writes the body to the key in the bucket', async () => {
    s3.on(PutObjectCommand).resolves({});
    await new S3Store({ client, bucket: BUCKET }).put(RAW_KEY, BODY);
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: BUCKET, Key: RAW_KEY, Body: BODY }]);
  });

  it('writes under the store prefix', async () => {
    s3.on(PutObjectCommand).resolves({});
    await new S3Store({ client, bucket: BUCKET, prefix: 'lake/' }).put(RAW_KEY, BODY);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Key).toBe(`lake/${RAW_KEY}`);
  });

  it('adds the missing trailing slash to a prefix', async () => {
    s3.on(PutObjectCommand).resolves({});
    await new S3Store({ client, bucket: BUCKET, prefix: 'tenants/acme' }).put(RAW_KEY, BODY);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Key).toBe(`tenants/acme/${RAW_KEY}`);
  });

  it('asks for SSE-KMS with the given key', async () => {
    s3.on(PutObjectCommand).resolves({});
    await new S3Store({ client, bucket: BUCKET, kmsKeyId: KMS_KEY }).put(RAW_KEY, BODY);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KMS_KEY });
  });

  it('leaves encryption to the bucket default without a KMS key', async () => {
    s3.on(PutObjectCommand).resolves({});
    await new S3Store({ client, bucket: BUCKET }).put(RAW_KEY, BODY);
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty('ServerSideEncryption');
    expect(input).not.toHaveProperty('SSEKMSKeyId');
  });
});

describe('S3Store.get', () => {
  it('returns the object bytes', async () => {
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: `lake/${RAW_KEY}` }).resolves({ Body: bodyOf(BODY) });
    expect(await new S3Store({ client, bucket: BUCKET, prefix: 'lake/' }).get(RAW_KEY)).toEqual(BODY);
  });

  it('maps NoSuchKey to ObjectNotFoundError naming the key', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
    const get = new S3Store({ client, bucket: BUCKET }).get(RAW_KEY);
    await expect(get).rejects.toThrow(ObjectNotFoundError);
    await expect(get).rejects.toMatchObject({ key: RAW_KEY });
  });

  it('maps a bare 404 to ObjectNotFoundError', async () => {
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({ name: 'NotFound', $fault: 'client', message: 'Not Found', $metadata: { httpStatusCode: 404 } }),
    );
    await expect(new S3Store({ client, bucket: BUCKET }).get(RAW_KEY)).rejects.toThrow(ObjectNotFoundError);
  });

  it('passes AccessDenied through instead of calling it missing', async () => {
    const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } });
    s3.on(GetObjectCommand).rejects(denied);
    await expect(new S3Store({ client, bucket: BUCKET }).get(RAW_KEY)).rejects.toBe(denied);
  });
});

describe('S3Store.list', () => {
  it('follows continuation tokens across pages and strips the store prefix', async () => {
    const list = s3.on(ListObjectsV2Command);
    list.resolvesOnce({
      IsTruncated: true,
      NextContinuationToken: 'page-2',
      Contents: [{ Key: 'lake/raw/readings/dt=2026-11-21/a.gz' }, { Key: 'lake/raw/readings/dt=2026-11-21/b.gz' }],
    });
    list.resolvesOnce({ IsTruncated: true, NextContinuationToken: 'page-3', Contents: [{ Key: 'lake/raw/readings/dt=2026-11-22/c.gz' }] });
    list.resolvesOnce({ IsTruncated: false, Contents: [{ Key: 'lake/raw/readings/dt=2026-11-23/d.gz' }] });

    const keys = await new S3Store({ client, bucket: BUCKET, prefix: 'lake/' }).list('raw/readings/');

    expect(keys).toEqual([
      'raw/readings/dt=2026-11-21/a.gz',
      'raw/readings/dt=2026-11-21/b.gz',
      'raw/readings/dt=2026-11-22/c.gz',
      'raw/readings/dt=2026-11-23/d.gz',
    ]);
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input)).toEqual([
      { Bucket: BUCKET, Prefix: 'lake/raw/readings/', ContinuationToken: undefined },
      { Bucket: BUCKET, Prefix: 'lake/raw/readings/', ContinuationToken: 'page-2' },
      { Bucket: BUCKET, Prefix: 'lake/raw/readings/', ContinuationToken: 'page-3' },
    ]);
  });

  it('returns nothing for an empty prefix listing', async () => {
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: false, KeyCount: 0 });
    expect(await new S3Store({ client, bucket: BUCKET }).list('curated/rejected_readings/')).toEqual([]);
  });

  it('returns keys sorted', async () => {
    s3.on(ListObjectsV2Command).resolves({
      IsTruncated: false,
      Contents: [{ Key: 'reference/sites/sites.csv' }, { Key: 'reference/sites-archive/2025.csv' }],
    });
    expect(await new S3Store({ client, bucket: BUCKET }).list('reference/')).toEqual(['reference/sites-archive/2025.csv', 'reference/sites/sites.csv']);
  });
});

describe('S3Store.delete', () => {
  it('deletes the prefixed key', async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await new S3Store({ client, bucket: BUCKET, prefix: 'lake/' }).delete(RAW_KEY);
    expect(s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: BUCKET, Key: `lake/${RAW_KEY}` }]);
  });
});

describe('unsafe keys never reach S3', () => {
  const store = new S3Store({ client, bucket: BUCKET, prefix: 'lake/' });

  it.each(['../x.gz', 'a/../../x.gz', '/abs/x.gz', 'raw//x.gz', 'raw/x\0.gz', 'raw/mätare.gz', '', 'raw/'])('rejects %j', async (key) => {
    await expect(store.put(key, BODY)).rejects.toThrow(InvalidKeyError);
    await expect(store.get(key)).rejects.toThrow(InvalidKeyError);
    await expect(store.delete(key)).rejects.toThrow(InvalidKeyError);
    expect(s3.calls()).toHaveLength(0);
  });

  it.each(['../', '/', 'raw//', 'raw/../'])('rejects the list prefix %j', async (prefix) => {
    await expect(store.list(prefix)).rejects.toThrow(InvalidKeyError);
    expect(s3.calls()).toHaveLength(0);
  });

  it.each(['../', '/lake/', 'lake//'])('rejects the store prefix %j', (prefix) => {
    expect(() => new S3Store({ client, bucket: BUCKET, prefix })).toThrow(InvalidKeyError);
  });
});
