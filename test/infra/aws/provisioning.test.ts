import { describe, expect, it } from 'vitest';
import { CLAIM_CLIENT_PREFIX, fleetProvisioningTopics } from '../../../infra/aws/provisioning.ts';
import { resourcesOf, synthesized } from './synth.ts';

const { stack, template } = synthesized();
const logicalId = (c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as never);
const [, provisioning] = resourcesOf(template, 'AWS::IoT::ProvisioningTemplate')[0]!;
const body = JSON.parse(provisioning.Properties.TemplateBody as string) as { Parameters: Record<string, unknown>; Resources: Record<string, { Type: string; Properties: Record<string, unknown>; OverrideSettings?: Record<string, string> }> };
const policies = new Map(resourcesOf(template, 'AWS::IoT::Policy').map(([, p]) => [p.Properties.PolicyName as string, p.Properties.PolicyDocument as { Statement: { Action: string; Resource: unknown }[] }]));
const text = (value: unknown): string => JSON.stringify(value) ?? '';

describe('fleet provisioning template', () => {
  it('is enabled, named for the stage, and registers through its own role with a pre-provisioning hook', () => {
    expect(provisioning.Properties).toMatchObject({
      TemplateName: 'wattlake-dev-meter',
      Enabled: true,
      ProvisioningRoleArn: { 'Fn::GetAtt': [logicalId(stack.provisioning.role), 'Arn'] },
      PreProvisioningHook: { TargetArn: { 'Fn::GetAtt': [logicalId(stack.provisioning.hook.fn), 'Arn'] }, PayloadVersion: '2020-04-01' },
    });
  });

  it('creates a meter thing named by the device, with its site_id attribute from the request', () => {
    expect(Object.keys(body.Parameters).sort()).toEqual(['AWS::IoT::Certificate::Id', 'DeviceId', 'SiteId']);
    expect(body.Resources.thing).toMatchObject({
      Type: 'AWS::IoT::Thing',
      Properties: { ThingName: { Ref: 'DeviceId' }, ThingTypeName: 'wattlake-dev-meter', AttributePayload: { site_id: { Ref: 'SiteId' } } },
    });
  });

  it('never lets a request rewrite an existing thing\'s site or type', () => {
    expect(body.Resources.thing!.OverrideSettings).toEqual({ AttributePayload: 'DO_NOTHING', ThingTypeName: 'DO_NOTHING', ThingGroups: 'DO_NOTHING' });
  });

  it('activates the new certificate and attaches the existing per-device policy', () => {
    expect(body.Resources.certificate).toEqual({ Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } });
    expect(body.Resources.policy).toEqual({ Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'wattlake-dev-device' } });
    expect(policies.has('wattlake-dev-device')).toBe(true);
  });

  it('lets IoT Core invoke the hook only for this template', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'iot.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(stack.provisioning.hook.fn), 'Arn'] },
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':provisioningtemplate/wattlake-dev-meter']] },
    });
  });

  it('gives the provisioning role no delete and no policy but the device policy', () => {
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.startsWith('ProvisioningRole'))![1];
    const statements = (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => /Delete|Detach|CreatePolicy/.test(a))).toEqual([]);
    const policyResources = statements.filter((s) => [s.Action].flat().includes('iot:GetPolicy')).map((s) => text(s.Resource));
    expect(policyResources).toHaveLength(1);
    expect(policyResources[0]).toContain(':policy/wattlake-dev-device"');
  });
});

describe('claim certificate policy', () => {
  const claim = policies.get('wattlake-dev-provisioning-claim')!;
  const allowed = (action: string): string[] => claim.Statement.filter((s) => s.Action === action).flatMap((s) => [s.Resource].flat()).map(text);

  it('allows only the fleet-provisioning topics of this template', () => {
    const topics = fleetProvisioningTopics('wattlake-dev-meter');
    expect(allowed('iot:Publish').map((r) => /:topic\/([^"]+)"/.exec(r)![1])).toEqual(topics.publish);
    expect(allowed('iot:Subscribe').map((r) => /:topicfilter\/([^"]+)"/.exec(r)![1])).toEqual(topics.replies);
    expect(allowed('iot:Receive').map((r) => /:topic\/([^"]+)"/.exec(r)![1])).toEqual(topics.replies);
    expect(claim.Statement.map((s) => s.Action).sort()).toEqual(['iot:Connect', 'iot:Publish', 'iot:Receive', 'iot:Subscribe']);
    expect(text(claim)).not.toContain('dt/energy');
  });

  it('connects only under the provisioning client-id prefix, so a claim cannot take over a device\'s session', () => {
    expect(allowed('iot:Connect')).toHaveLength(1);
    expect(allowed('iot:Connect')[0]).toContain(`:client/${CLAIM_CLIENT_PREFIX}*"`);
  });
});
