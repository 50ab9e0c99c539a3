// Devices: the thing type and the one IoT policy every meter's certificate gets. The policy is
// the AWS form of the twin's broker hooks (infra/local/broker/authorize-publish.ts and
// authorize-subscribe.ts): connect only as your own thing, publish only to your own
// dt/energy/{site}/{device}/readings|status (and the Basic Ingest form of readings), subscribe
// only under your own cmd/energy/{site}/{device}/. The site comes from the registry: the thing's
// `site_id` attribute, never from the device.
import { Stack } from 'aws-cdk-lib';
import * as iot from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import { READINGS_RULE_NAME } from '../../pipeline/rule/readings-rule.ts';

/** IoT policy variables (resolved by IoT Core per connection). */
const THING = '${iot:Connection.Thing.ThingName}';
const SITE = '${iot:Connection.Thing.Attributes[site_id]}';

/** Topic names a thing may publish to, with policy variables: the same list as the twin's `ownTopics`. */
export const DEVICE_PUBLISH_TOPICS = [
  `dt/energy/${SITE}/${THING}/readings`,
  `dt/energy/${SITE}/${THING}/status`,
  `$aws/rules/${READINGS_RULE_NAME}/dt/energy/${SITE}/${THING}/readings`,
];
/** The command tree a thing may subscribe to (the twin's `commandTopicFilter`). */
export const DEVICE_COMMAND_TREE = `cmd/energy/${SITE}/${THING}/*`;

export interface DevicesProps {
  stage: string;
}

export class Devices extends Construct {
  readonly thingType: iot.CfnThingType;
  readonly policy: iot.CfnPolicy;

  constructor(scope: Construct, id: string, { stage }: DevicesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const iotArn = (kind: string, name: string): string => `arn:${stack.partition}:iot:${stack.region}:${stack.account}:${kind}/${name}`;

    this.thingType = new iot.CfnThingType(this, 'MeterType', {
      thingTypeName: `wattlake-${stage}-meter`,
      thingTypeProperties: {
        thingTypeDescription: 'wattlake metering box; the site_id attribute places it in the topic tree',
        searchableAttributes: ['site_id'],
      },
    });

    this.policy = new iot.CfnPolicy(this, 'DevicePolicy', {
      policyName: `wattlake-${stage}-device`,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            // Client id = thing name, and only with a certificate attached to that thing.
            Effect: 'Allow',
            Action: 'iot:Connect',
            Resource: iotArn('client', THING),
            Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
          },
          { Effect: 'Allow', Action: 'iot:Publish', Resource: DEVICE_PUBLISH_TOPICS.map((t) => iotArn('topic', t)) },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: iotArn('topicfilter', DEVICE_COMMAND_TREE) },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: iotArn('topic', DEVICE_COMMAND_TREE) },
        ],
      },
    });
  }
}
