// Properties of decodeMessage over arbitrary input: it is total, it conserves readings, and
// nothing it accepts breaks a contract rule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, type MessageContext } from '../../../pipeline/decode/payload.ts';
import {
  anythingObjectArb, contractMessageArb, hostileIdArb, jsonObjectArb, receivedAtArb, TOPIC_DEVICE, TOPIC_SITE,
} from '../../helpers/reading-arbitraries.ts';
import { acceptedViolations, contractReadingCount, rejectedViolations } from '../../helpers/reading-invariants.ts';

const contextArb: fc.Arbitrary<MessageContext> = fc.record({ siteId: hostileIdArb, topicDeviceId: hostileIdArb, receivedAt: receivedAtArb });
const validContextArb: fc.Arbitrary<MessageContext> = receivedAtArb.map((receivedAt) => ({ siteId: TOPIC_SITE, topicDeviceId: TOPIC_DEVICE, receivedAt }));

/** Contract-shaped messages, arbitrary JSON objects, and objects holding any JS value. */
const messageArb = fc.oneof(
  { arbitrary: contractMessageArb, weight: 4 },
  jsonObjectArb,
  anythingObjectArb,
  fc.jsonValue().filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)).map((v) => v as Record<string, unknown>),
);

const lineContext = (ctx: MessageContext) => ({ siteId: ctx.siteId, deviceId: ctx.topicDeviceId, receivedAt: ctx.receivedAt });
const asRecord = (value: object): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

describe('decodeMessage properties', () => {
  it('never throws on any object', () => {
    fc.assert(fc.property(messageArb, contextArb, (message, ctx) => {
      expect(() => decodeMessage(message, ctx)).not.toThrow();
    }), { numRuns: 500 });
  });

  it('puts every reading in exactly one of accepted and rejected', () => {
    fc.assert(fc.property(messageArb, contextArb, (message, ctx) => {
      const { accepted, rejected } = decodeMessage(message, ctx);
      expect(accepted.length + rejected.length).toBe(contractReadingCount(message));
    }), { numRuns: 500 });
  });

  it('gives every rejected reading a known reason, a detail and its payload', () => {
    fc.assert(fc.property(messageArb, contextArb, (message, ctx) => {
      for (const r of decodeMessage(message, ctx).rejected) expect(rejectedViolations(asRecord(r), lineContext(ctx))).toEqual([]);
    }), { numRuns: 500 });
  });

  it('accepts only readings that keep every contract rule', () => {
    fc.assert(fc.property(messageArb, contextArb, (message, ctx) => {
      for (const r of decodeMessage(message, ctx).accepted) expect(acceptedViolations({ ...r }, lineContext(ctx))).toEqual([]);
    }), { numRuns: 500 });
  });

  it('accepts nothing when the topic site or device is not a valid ID', () => {
    const invalidIdArb = hostileIdArb.filter((id) => !(typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(id)));
    fc.assert(fc.property(contractMessageArb, invalidIdArb, fc.boolean(), receivedAtArb, (message, badId, badSite, receivedAt) => {
      const ctx = { siteId: badSite ? badId : TOPIC_SITE, topicDeviceId: badSite ? TOPIC_DEVICE : badId, receivedAt };
      expect(decodeMessage(message, ctx).accepted).toEqual([]);
    }));
  });

  it('accepts some readings of contract-shaped messages (the generators reach the happy path)', () => {
    // Guards the properties above against vacuity: if the generators never produced a valid
    // reading, "every accepted reading is valid" would hold trivially.
    const samples = fc.sample(fc.tuple(contractMessageArb, validContextArb), { numRuns: 300, seed: 42 });
    const accepted = samples.reduce((n, [message, ctx]) => n + decodeMessage(message, ctx).accepted.length, 0);
    expect(accepted).toBeGreaterThan(30);
  });
});
