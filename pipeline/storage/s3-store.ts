// The lake in AWS: one bucket (optionally under a prefix), with the same keys as the local folder.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { assertSafeKey } from './keys.ts';
import { assertSafePrefix } from './list-prefix.ts';
import { ObjectNotFoundError, type ObjectStore } from './object-store.ts';

export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** Folder inside the bucket that holds the lake, e.g. `lake/`; a missing trailing `/` is added. */
  prefix?: string;
  /** When set, every object is written with SSE-KMS under this key (the bucket default may differ). */
  kmsKeyId?: string;
}

export class S3Store implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly kmsKeyId: string | undefined;

  constructor({ client, bucket, prefix = '', kmsKeyId }: S3StoreOptions) {
    const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    assertSafePrefix(folder);
    this.client = client;
    this.bucket = bucket;
    this.prefix = folder;
    this.kmsKeyId = kmsKeyId;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    assertSafeKey(key);
    // A single PutObject is atomic in S3: readers see the previous object or the whole new one.
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: body,
        ...(this.kmsKeyId === undefined ? {} : { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.kmsKeyId }),
      }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    assertSafeKey(key);
    const { Body } = await this.client
      .send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }))
      .catch((error: unknown) => {
        throw isNotFound(error) ? new ObjectNotFoundError(key) : error;
      });
    if (Body === undefined) throw new Error(`S3 returned no body for ${key}`);
    return Body.transformToByteArray();
  }

  async list(prefix: string): Promise<string[]> {
    assertSafePrefix(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }),
      );
      for (const { Key } of page.Contents ?? []) if (Key !== undefined) keys.push(Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    // S3 already returns UTF-8 byte order, which for ASCII keys is code-unit order; sorting keeps the contract explicit.
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    // S3 answers 204 for a missing key too, which is the interface's contract.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
  }
}

/** NoSuchKey is a 404; a 403 (no s3:ListBucket) stays an error instead of passing for "missing". */
function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata?.httpStatusCode === 404);
}
