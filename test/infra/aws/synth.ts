// The stack as tests see it: synthesized once per test file, with asset bundling skipped
// (`aws:cdk:bundling-stacks: []`, CDK's own switch) and without aws-cdk-lib's built-in
// CloudFormation schema check (seconds per synthesis), so a template test takes about a second.
// functions.test.ts covers what bundling puts in the converter's asset; `npx cdk synth` runs both.
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/aws/app.ts';
import type { WattlakeStack } from '../../../infra/aws/stack.ts';

export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
export const FAST = { builtinCloudFormationValidation: false };

let cached: { stack: WattlakeStack; template: Template } | undefined;

export function synthesized(): { stack: WattlakeStack; template: Template } {
  if (!cached) {
    const { stack } = buildApp(SKIP_BUNDLING, FAST);
    cached = { stack, template: Template.fromStack(stack) };
  }
  return cached;
}

/** Resources of one type, as [logicalId, resource] pairs. */
export function resourcesOf(template: Template, type: string): [string, { Properties: Record<string, unknown> }][] {
  return Object.entries(template.findResources(type)) as [string, { Properties: Record<string, unknown> }][];
}
