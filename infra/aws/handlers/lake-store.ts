// What the DuckDB shells share: the lake as an S3Store from the function's environment, and one
// DuckDB instance per Lambda container (opening it costs more than most conversions).
import { S3Client } from '@aws-sdk/client-s3';
import type { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDb } from '../../../pipeline/query/duckdb.ts';
import { S3Store } from '../../../pipeline/storage/s3-store.ts';

const s3 = new S3Client({});
let duckdb: Promise<DuckDBInstance> | undefined;

export function lakeStore(env: NodeJS.ProcessEnv = process.env): S3Store {
  const bucket = env.LAKE_BUCKET;
  if (!bucket) throw new Error('LAKE_BUCKET is not set');
  return new S3Store({ client: s3, bucket, kmsKeyId: env.LAKE_KMS_KEY_ARN || undefined });
}

/** DuckDB may use 60 % of the function's memory; the rest is Node, the S3 bodies and the OS. */
export function lakeDuckDb(env: NodeJS.ProcessEnv = process.env): Promise<DuckDBInstance> {
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 0);
  duckdb ??= openDuckDb(memoryMb > 0 ? { memoryLimit: `${Math.floor(memoryMb * 0.6)}MB` } : {});
  return duckdb;
}
