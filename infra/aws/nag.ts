// cdk-nag acknowledgements that name one exact finding, so an acknowledgement can never hide a
// different wildcard than the one its reason talks about.
import { Stack, Validations } from 'aws-cdk-lib';
import type { CfnResource } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/** The finding text cdk-nag's IAM5 gives for `<bucket ARN>/<pattern>` (it names the bucket by logical ID). */
export function bucketObjectsFinding(bucket: IBucket, pattern: string): string {
  const cfn = bucket.node.defaultChild as CfnResource;
  return `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(cfn)}.Arn>/${pattern}]`;
}

/** Acknowledges IAM5 for object-prefix resources of the lake: the prefix *is* the scope. */
export function acknowledgeLakePrefixes(scope: IConstruct, bucket: IBucket, patterns: string[], why: string): void {
  for (const pattern of patterns) {
    Validations.of(scope).acknowledge({
      id: bucketObjectsFinding(bucket, pattern),
      reason: `Object keys under the lake's ${pattern.replace(/\*$/, '')} zone are created continuously with names not known at deploy time; the grant is limited to that prefix of this one bucket. ${why}`,
    });
  }
}
