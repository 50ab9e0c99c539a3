import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../infra/aws/config.ts';
import { ATHENA_RESULTS_PREFIX } from '../../../infra/aws/lake.ts';
import { LAKE_PREFIXES } from '../../../pipeline/storage/keys.ts';
import { synthesized } from './synth.ts';

const { stack, template } = synthesized();
const lakeId = stack.getLogicalId(stack.lake.bucket.node.defaultChild as never);
const keyId = stack.getLogicalId(stack.lake.key.node.defaultChild as never);
const lake = (): Record<string, unknown> => template.toJSON().Resources[lakeId].Properties;

describe('lake bucket', () => {
  it('encrypts with the stack\'s rotating KMS key (bucket keys on)', () => {
    expect(lake().BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } }] });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('blocks every form of public access', () => {
    expect(lake().PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  });

  it('denies any request without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: lakeId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('is versioned and logs access to the separate log bucket', () => {
    expect(lake().VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(lake().LoggingConfiguration).toMatchObject({ DestinationBucketName: { Ref: stack.getLogicalId(stack.lake.accessLogs.node.defaultChild as never) }, LogFilePrefix: 'lake/' });
  });

  it('moves raw objects to Glacier and expires Athena results after the configured days', () => {
    const rules = (lake().LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: LAKE_PREFIXES.raw, Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: DEFAULT_CONFIG.rawToGlacierDays }] }));
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: ATHENA_RESULTS_PREFIX, ExpirationInDays: DEFAULT_CONFIG.athenaResultsExpiryDays }));
  });

  it('is retained when the stack is deleted', () => {
    expect(template.toJSON().Resources[lakeId].DeletionPolicy).toBe('Retain');
  });
});
