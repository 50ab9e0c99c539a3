// What a principal needs to run the named queries on Athena: Athena runs a query with its
// caller's credentials, so the caller needs the workgroup, read access to the Glue tables and
// views the queries touch, the S3 objects behind them, and the workgroup's result location
// (written and read back through S3 with the lake key). Shared by the report Lambda and the
// QuickSight role, so both get exactly this and nothing more.
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { sharedViews } from '../../pipeline/query/catalog.ts';
import { REFERENCE_TABLE_NAMES } from '../../pipeline/schema/reference.ts';
import { LAKE_PREFIXES } from '../../pipeline/storage/keys.ts';
import type { Analytics } from './analytics.ts';
import { type Catalog, DATABASE_NAME } from './catalog.ts';
import { ATHENA_RESULTS_PREFIX, type Lake } from './lake.ts';

/**
 * Lake prefixes the named queries read: curated readings (via readings_unique and the live views),
 * the reference CSVs and the rollup tables the shared views combine with the live rows.
 */
export const QUERY_READ_PREFIXES = [LAKE_PREFIXES.curated, LAKE_PREFIXES.reference, LAKE_PREFIXES.rollup] as const;

export function athenaReadGrants({ lake, catalog, analytics }: { lake: Lake; catalog: Catalog; analytics: Analytics }): iam.PolicyStatement[] {
  const stack = Stack.of(analytics);
  const arn = (service: string, resource: string): string => `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
  // Tables and views by name (views resolve their tables with the caller's rights too): no table wildcard.
  const tableNames = [...Object.keys(catalog.tables), ...REFERENCE_TABLE_NAMES, ...sharedViews().map((v) => v.name)];
  const readable = [...QUERY_READ_PREFIXES, ATHENA_RESULTS_PREFIX];
  return [
    new iam.PolicyStatement({
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
      resources: [arn('athena', `workgroup/${analytics.workGroup.name}`)],
    }),
    new iam.PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
      resources: [arn('glue', 'catalog'), arn('glue', `database/${DATABASE_NAME}`), ...tableNames.map((t) => arn('glue', `table/${DATABASE_NAME}/${t}`))],
    }),
    new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [lake.bucket.bucketArn] }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [lake.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': readable.map((p) => `${p}*`) } },
    }),
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: readable.map((p) => lake.bucket.arnForObjects(`${p}*`)) }),
    new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [lake.bucket.arnForObjects(`${ATHENA_RESULTS_PREFIX}*`)] }),
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [lake.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
    }),
  ];
}
