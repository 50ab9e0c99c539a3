// The lake: one bucket with the contract's layout (docs/contracts.md, "Lake layout"), encrypted
// with a customer-managed KMS key, TLS-only, never public, access-logged, versioned (compaction
// and converter retries overwrite/delete, so old versions are the undo), with lifecycle rules
// for the raw zone and Athena results. A second bucket holds only the access logs.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAKE_PREFIXES } from '../../pipeline/storage/keys.ts';

/** Athena's results live here (not a pipeline zone, so not in LAKE_PREFIXES). */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';
/** How long overwritten or deleted object versions are kept before they expire. */
export const NONCURRENT_VERSION_DAYS = 30;

export interface LakeProps {
  stage: string;
  rawToGlacierDays: number;
  athenaResultsExpiryDays: number;
}

export class Lake extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, { stage, rawToGlacierDays, athenaResultsExpiryDays }: LakeProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `wattlake ${stage}: lake, delivery and query results`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Server access logs can only be delivered to an SSE-S3 bucket (not SSE-KMS).
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the server-access-log target of the lake bucket; logging it into itself would create a feedback loop, and S3 writes to it only through the logging service principal.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        {
          id: 'raw-to-glacier',
          prefix: LAKE_PREFIXES.raw,
          transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(rawToGlacierDays) }],
        },
        { id: 'expire-athena-results', prefix: ATHENA_RESULTS_PREFIX, expiration: Duration.days(athenaResultsExpiryDays) },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
