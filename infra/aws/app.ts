// The CDK app (`npx cdk synth|deploy` via cdk.json): config from context, one stack, and
// cdk-nag's AWS Solutions checks, which fail synthesis on any unacknowledged finding.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from './config.ts';
import { WattlakeStack } from './stack.ts';

/** CDK feature flags the stack is written for (here rather than in cdk.json so tests get them too). */
export const FEATURE_FLAGS = {
  // Access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
};

/**
 * Builds the app. Template tests pass context `aws:cdk:bundling-stacks: []` (skip asset bundling)
 * and turn off aws-cdk-lib's built-in CloudFormation schema validation, which costs ~5 s per
 * synthesis; `npx cdk synth` runs both.
 */
export function buildApp(context: Record<string, unknown> = {}, { builtinCloudFormationValidation = true } = {}): { app: App; stack: WattlakeStack } {
  const app = new App({ context: { ...FEATURE_FLAGS, ...context }, builtinCloudFormationValidation });
  const config = loadConfig((key) => app.node.tryGetContext(key));
  const env = config.account || config.region ? { account: config.account, region: config.region } : undefined;
  const stack = new WattlakeStack(app, `wattlake-${config.stage}`, { config, env });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  buildApp().app.synth();
}
