import { describe, expect, it } from 'vitest';
import { ownTopics } from '../../../infra/local/broker/authorize-publish.ts';
import { commandTopicFilter } from '../../../infra/local/broker/authorize-subscribe.ts';
import { resourcesOf, synthesized } from './synth.ts';

const { template } = synthesized();
const [[, policy]] = resourcesOf(template, 'AWS::IoT::Policy') as [[string, { Properties: { PolicyDocument: { Statement: { Action: string; Resource: unknown; Condition?: unknown }[] } } }]];
const statements = policy.Properties.PolicyDocument.Statement;
/** The topic part of each resource ARN (after `:topic/`), whatever the account/region tokens. */
const topics = (action: string, kind: string): string[] => statements.filter((s) => s.Action === action)
  .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
  .map((r) => JSON.stringify(r).split(`:${kind}/`)[1]!.replace(/"\]\]\}$|"$/, ''));

describe('device IoT policy', () => {
  it('lets a thing publish exactly to the topics the twin allows, with the site from its registry attribute', () => {
    const twin = ownTopics({ device_id: 'DEVICE', site_id: 'SITE', state: 'active', certificate_fingerprint: '', created_at: '' });
    const aws = topics('iot:Publish', 'topic').map((t) => t.replace('${iot:Connection.Thing.ThingName}', 'DEVICE').replace('${iot:Connection.Thing.Attributes[site_id]}', 'SITE'));
    expect(aws).toEqual(twin);
  });

  it('lets a thing connect only as itself, with a certificate attached to that thing', () => {
    const connect = statements.find((s) => s.Action === 'iot:Connect');
    expect(topics('iot:Connect', 'client')).toEqual(['${iot:Connection.Thing.ThingName}']);
    expect(connect?.Condition).toEqual({ Bool: { 'iot:Connection.Thing.IsAttached': 'true' } });
  });

  it('lets a thing subscribe only under its own command tree', () => {
    const twin = commandTopicFilter({ device_id: 'DEVICE', site_id: 'SITE', state: 'active', certificate_fingerprint: '', created_at: '' });
    const aws = topics('iot:Subscribe', 'topicfilter').map((t) => t.replace('${iot:Connection.Thing.ThingName}', 'DEVICE').replace('${iot:Connection.Thing.Attributes[site_id]}', 'SITE'));
    expect(aws).toEqual([twin.replace(/#$/, '*')]);
  });

  it('has no other permissions', () => {
    expect(statements.map((s) => s.Action).sort()).toEqual(['iot:Connect', 'iot:Publish', 'iot:Receive', 'iot:Subscribe']);
  });

  it('defines a meter thing type with site_id searchable', () => {
    template.hasResourceProperties('AWS::IoT::ThingType', { ThingTypeName: 'wattlake-dev-meter', ThingTypeProperties: { SearchableAttributes: ['site_id'] } });
  });
});
