// Fleet provisioning by claim: boxes leave the factory with one shared claim certificate whose
// policy allows nothing but the fleet-provisioning MQTT API; on first boot a box asks IoT Core
// for its own key and certificate and registers itself through the template below (thing of
// the meter type with its site_id attribute, the new certificate active, the existing
// per-device policy attached). A pre-provisioning hook refuses IDs the contract does not allow.
// The CLI path in docs/deploy.md ("Provision a device") stays for single devices.
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import type { Devices } from './devices.ts';
import { PipelineFunction } from './functions.ts';
import { PROVISIONING_PARAMETERS } from './handlers/provision-hook.ts';

/**
 * Client ids a claim connection must use. Not `client/*`: a claim holder connecting under a real
 * device's id would disconnect that device (IoT Core drops the older session of a client id).
 */
export const CLAIM_CLIENT_PREFIX = 'provisioning-';

/** Topics of the fleet-provisioning MQTT API (JSON payloads) for one template. */
export function fleetProvisioningTopics(templateName: string): { publish: string[]; replies: string[] } {
  const create = '$aws/certificates/create/json';
  const provision = `$aws/provisioning-templates/${templateName}/provision/json`;
  return { publish: [create, provision], replies: [`${create}/accepted`, `${create}/rejected`, `${provision}/accepted`, `${provision}/rejected`] };
}

/** The template body: one thing, its new certificate, the device policy. */
export function provisioningTemplateBody({ thingTypeName, policyName }: { thingTypeName: string; policyName: string }): Record<string, unknown> {
  return {
    Parameters: {
      [PROVISIONING_PARAMETERS.device]: { Type: 'String' },
      [PROVISIONING_PARAMETERS.site]: { Type: 'String' },
      'AWS::IoT::Certificate::Id': { Type: 'String' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        // Never rewrite an existing thing's site or type from a device's request.
        OverrideSettings: { AttributePayload: 'DO_NOTHING', ThingTypeName: 'DO_NOTHING', ThingGroups: 'DO_NOTHING' },
        Properties: {
          ThingName: { Ref: PROVISIONING_PARAMETERS.device },
          ThingTypeName: thingTypeName,
          AttributePayload: { site_id: { Ref: PROVISIONING_PARAMETERS.site } },
        },
      },
      certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
      policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: policyName } },
    },
  };
}

export interface ProvisioningProps {
  stage: string;
  devices: Devices;
  logRetentionDays: number;
}

export class FleetProvisioning extends Construct {
  readonly template: iot.CfnProvisioningTemplate;
  readonly claimPolicy: iot.CfnPolicy;
  readonly hook: PipelineFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, { stage, devices, logRetentionDays }: ProvisioningProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const iotArn = (resource: string): string => `arn:${stack.partition}:iot:${stack.region}:${stack.account}:${resource}`;
    const templateName = `wattlake-${stage}-meter`;
    const thingTypeName = devices.thingType.thingTypeName as string;
    const policyName = devices.policy.policyName as string;

    this.hook = new PipelineFunction(this, 'Hook', {
      handler: 'provision-hook',
      description: 'wattlake: fleet provisioning pre-hook (device and site IDs must be contract-valid)',
      withDuckDb: false,
      memorySize: 256,
      // IoT Core waits at most 5 seconds for a pre-provisioning hook.
      timeout: Duration.seconds(5),
      logRetentionDays,
    });
    this.hook.fn.addPermission('IotInvoke', {
      principal: new iam.ServicePrincipal('iot.amazonaws.com'),
      sourceAccount: stack.account,
      sourceArn: iotArn(`provisioningtemplate/${templateName}`),
    });

    // What RegisterThing does with the template: create the thing, activate the certificate, attach them and the device policy.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: `wattlake ${stage}: fleet provisioning registers meters`,
    });
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['iot:CreateThing', 'iot:DescribeThing', 'iot:AttachThingPrincipal', 'iot:ListThingPrincipals'],
      resources: [iotArn('thing/*')],
    }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['iot:DescribeThingType'], resources: [iotArn(`thingtype/${thingTypeName}`)] }));
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['iot:DescribeCertificate', 'iot:UpdateCertificate', 'iot:AttachPolicy', 'iot:AttachPrincipalPolicy', 'iot:ListAttachedPolicies', 'iot:ListPrincipalThings'],
      resources: [iotArn('cert/*')],
    }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['iot:GetPolicy', 'iot:AttachPolicy'], resources: [iotArn(`policy/${policyName}`)] }));
    for (const resource of ['thing/*', 'cert/*']) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:<AWS::Region>:<AWS::AccountId>:${resource}]`,
        reason: `Fleet provisioning creates things and certificates whose names and IDs are only known when a device registers; the role may only create/describe/attach them (no delete), and the only policy it can attach is the device policy ${policyName}.`,
      });
    }

    this.template = new iot.CfnProvisioningTemplate(this, 'Template', {
      templateName,
      description: `wattlake ${stage}: a meter registers itself (thing ${thingTypeName}, site_id attribute, policy ${policyName})`,
      enabled: true,
      provisioningRoleArn: this.role.roleArn,
      templateBody: JSON.stringify(provisioningTemplateBody({ thingTypeName, policyName })),
      preProvisioningHook: { targetArn: this.hook.fn.functionArn, payloadVersion: '2020-04-01' },
    });
    this.template.node.addDependency(this.role, this.hook.fn, devices.thingType, devices.policy);

    // The claim certificate may only use the fleet-provisioning API of this template.
    const topics = fleetProvisioningTopics(templateName);
    this.claimPolicy = new iot.CfnPolicy(this, 'ClaimPolicy', {
      policyName: `wattlake-${stage}-provisioning-claim`,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'iot:Connect', Resource: iotArn(`client/${CLAIM_CLIENT_PREFIX}*`) },
          { Effect: 'Allow', Action: 'iot:Publish', Resource: topics.publish.map((t) => iotArn(`topic/${t}`)) },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: topics.replies.map((t) => iotArn(`topicfilter/${t}`)) },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: topics.replies.map((t) => iotArn(`topic/${t}`)) },
        ],
      },
    });
  }
}
