import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRule, RuleSqlError, stripBasicIngest, topicMatches, type RuleMessage } from '../../../pipeline/rule/evaluate.ts';
import { READINGS_RULE_NAME, READINGS_RULE_SQL } from '../../../pipeline/rule/readings-rule.ts';
import { transformRecord } from '../../../pipeline/transform/record.ts';

const RECEIVED_AT = Date.parse('2026-11-21T10:00:30.250Z');
const TOPIC = 'dt/energy/site-stockholm-01/meter-0001/readings';
const BATCH = {
  device_id: 'meter-0001',
  seq: 1042,
  readings: [
    { ts: '2026-11-21T10:00:00Z', energy_import_kwh: 12345.678, power_w: 2300.5, voltage_v: 231.2 },
    { ts: '2026-11-21T10:00:15Z', energy_import_kwh: 12345.688, power_w: 2310, voltage_v: 231.0 },
  ],
};

const readingsRule = compileRule(READINGS_RULE_SQL, { ruleName: READINGS_RULE_NAME });
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function run(topic: string, payload: string | Uint8Array, rule = readingsRule, extra: Partial<RuleMessage> = {}): Uint8Array | null {
  return rule.evaluate({ topic, payload: typeof payload === 'string' ? utf8(payload) : payload, receivedAt: RECEIVED_AT, ...extra });
}

function runJson(topic: string, payload: unknown, rule = readingsRule, extra: Partial<RuleMessage> = {}): unknown {
  const out = run(topic, JSON.stringify(payload), rule, extra);
  return out === null ? null : JSON.parse(new TextDecoder().decode(out));
}

describe('the readings rule', () => {
  it('copies the batch payload and adds site_id, topic_device_id and received_at', () => {
    expect(runJson(TOPIC, BATCH)).toEqual({
      ...BATCH,
      site_id: 'site-stockholm-01',
      topic_device_id: 'meter-0001',
      received_at: RECEIVED_AT,
    });
  });

  it('produces a message that the transform accepts reading by reading', () => {
    const outcome = transformRecord(run(TOPIC, JSON.stringify(BATCH)) as Uint8Array, RECEIVED_AT);
    expect(outcome).toMatchObject({ result: 'Ok', dt: '2026-11-21', rejected: [] });
    expect(outcome.result === 'Ok' && outcome.accepted.map((r) => [r.site_id, r.device_id, r.received_at])).toEqual([
      ['site-stockholm-01', 'meter-0001', RECEIVED_AT],
      ['site-stockholm-01', 'meter-0001', RECEIVED_AT],
    ]);
  });

  it('overrides site_id, topic_device_id and received_at that a device put in its payload', () => {
    const spoofed = { ...BATCH, site_id: 'someone-elses-site', topic_device_id: 'meter-9999', received_at: 0 };
    expect(runJson(TOPIC, spoofed)).toMatchObject({ site_id: 'site-stockholm-01', topic_device_id: 'meter-0001', received_at: RECEIVED_AT });
  });

  it('keeps unknown payload fields, nested objects and a "__proto__" key as plain data', () => {
    const payload = JSON.parse('{"ts": 1795255200000, "energy_import_kwh": 1, "meta": {"fw": "2.1.0"}, "__proto__": {"polluted": true}}');
    const out = runJson(TOPIC, payload) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true });
    expect(out.meta).toEqual({ fw: '2.1.0' });
  });

  it.each([
    ['the status topic', 'dt/energy/site-stockholm-01/meter-0001/status'],
    ['too few levels', 'dt/energy/site-stockholm-01/readings'],
    ['too many levels', 'dt/energy/site-stockholm-01/meter-0001/readings/extra'],
    ['a trailing slash', 'dt/energy/site-stockholm-01/meter-0001/readings/'],
    ['another application', 'dt/water/site-stockholm-01/meter-0001/readings'],
    ['different case', 'DT/energy/site-stockholm-01/meter-0001/readings'],
  ])('does not fire for %s', (_, topic) => {
    expect(readingsRule.matches(topic)).toBe(false);
    expect(run(topic, JSON.stringify(BATCH))).toBeNull();
  });
});

describe('Basic Ingest', () => {
  const ingestTopic = `$aws/rules/${READINGS_RULE_NAME}/${TOPIC}`;

  it('fires for $aws/rules/<rule name>/<topic> with topic(n) counted after the prefix', () => {
    expect(readingsRule.matches(ingestTopic)).toBe(true);
    expect(runJson(ingestTopic, BATCH)).toMatchObject({ site_id: 'site-stockholm-01', topic_device_id: 'meter-0001' });
  });

  it('shows topic() without the $aws/rules/<rule name>/ prefix', () => {
    const rule = compileRule("SELECT topic() AS t FROM 'dt/energy/+/+/readings'", { ruleName: READINGS_RULE_NAME });
    expect(runJson(ingestTopic, {}, rule)).toEqual({ t: TOPIC });
  });

  it('invokes the rule by name, so FROM is not consulted (as on AWS)', () => {
    const statusTopic = `$aws/rules/${READINGS_RULE_NAME}/dt/energy/site-stockholm-01/meter-0001/status`;
    expect(runJson(statusTopic, { online: true })).toMatchObject({ online: true, site_id: 'site-stockholm-01' });
  });

  it('removes a payload site_id when the ingest topic is too short to supply one', () => {
    const out = runJson(`$aws/rules/${READINGS_RULE_NAME}/dt/energy`, { ...BATCH, site_id: 'spoofed', topic_device_id: 'spoofed' });
    expect(out).not.toHaveProperty('site_id');
    expect(out).not.toHaveProperty('topic_device_id');
  });

  it("does not fire for another rule's Basic Ingest topic", () => {
    expect(readingsRule.matches(`$aws/rules/other_rule/${TOPIC}`)).toBe(false);
  });

  it('is not accepted by a rule compiled without a name', () => {
    expect(compileRule(READINGS_RULE_SQL).matches(ingestTopic)).toBe(false);
  });

  it('strips exactly the rule prefix', () => {
    expect(stripBasicIngest(`$aws/rules/wattlake_readings/${TOPIC}`, 'wattlake_readings')).toBe(TOPIC);
    expect(stripBasicIngest('$aws/rules/wattlake_readings', 'wattlake_readings')).toBe('');
    expect(stripBasicIngest(`$aws/rules/wattlake_readings_v2/${TOPIC}`, 'wattlake_readings')).toBeNull();
    expect(stripBasicIngest(TOPIC, 'wattlake_readings')).toBeNull();
  });
});

describe('topicMatches', () => {
  it('lets + match exactly one level, including an empty one', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a//c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/x/c')).toBe(false);
  });

  it('lets # match the parent level and everything below it', () => {
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/#', 'b/a')).toBe(false);
  });

  it('keeps $ topics away from filters that start with a wildcard', () => {
    expect(topicMatches('#', '$aws/things/x')).toBe(false);
    expect(topicMatches('+/things/x', '$aws/things/x')).toBe(false);
    expect(topicMatches('$aws/#', '$aws/things/x')).toBe(true);
  });

  it('never matches a topic that is not a valid publish topic', () => {
    for (const topic of ['', 'a/+', 'a/#', 'a\u0000b']) expect(topicMatches('#', topic)).toBe(false);
  });
});

describe('functions', () => {
  it('returns the receive time from timestamp() and the publisher from clientid()', () => {
    const rule = compileRule("SELECT timestamp() AS at, clientid() AS who FROM 'dt/#'");
    expect(runJson(TOPIC, {}, rule, { clientId: 'meter-0001' })).toEqual({ at: RECEIVED_AT, who: 'meter-0001' });
  });

  it('omits an item that is Undefined: no client id, a level past the end, a missing field', () => {
    const rule = compileRule("SELECT clientid() AS who, topic(9) AS deep, meter.serial AS serial, seq FROM 'dt/#'");
    expect(runJson(TOPIC, { seq: 7 }, rule)).toEqual({ seq: 7 });
  });

  it('reads nested fields and ignores inherited object properties', () => {
    const rule = compileRule("SELECT meter.serial AS serial, toString AS t, meter.constructor AS c FROM 'dt/#'");
    expect(runJson(TOPIC, { meter: { serial: 'LGZ-123' } }, rule)).toEqual({ serial: 'LGZ-123' });
  });
});

describe('WHERE', () => {
  const rule = compileRule(`${READINGS_RULE_SQL} WHERE seq >= 1000 AND (topic(3) = 'site-stockholm-01' OR isUndefined(device_id))`);

  it('passes a message for which the condition is true', () => {
    expect(run(TOPIC, JSON.stringify(BATCH), rule)).not.toBeNull();
  });

  it('drops a message for which the condition is false', () => {
    expect(run(TOPIC, JSON.stringify({ ...BATCH, seq: 999 }), rule)).toBeNull();
  });

  it('drops a message whose condition is Undefined because a field is missing, even under NOT', () => {
    const { seq: _seq, ...withoutSeq } = BATCH;
    const negated = compileRule("SELECT * FROM 'dt/#' WHERE NOT (seq < 1000)");
    expect(run(TOPIC, JSON.stringify(BATCH), negated)).not.toBeNull();
    expect(run(TOPIC, JSON.stringify(withoutSeq), negated)).toBeNull();
  });

  it('compares a number with a numeric string as numbers, as IoT does', () => {
    const byString = compileRule("SELECT * FROM 'dt/#' WHERE seq > '999'");
    expect(run(TOPIC, JSON.stringify(BATCH), byString)).not.toBeNull();
  });

  it('treats an ordering between incompatible types as Undefined, even under NOT', () => {
    const mixed = compileRule("SELECT * FROM 'dt/#' WHERE NOT (device_id > 5)");
    expect(run(TOPIC, JSON.stringify(BATCH), mixed)).toBeNull();
  });

  it('compares strings, booleans and null by value', () => {
    const typed = compileRule("SELECT * FROM 'dt/#' WHERE device_id = 'meter-0001' AND online <> false AND isNull(fault) AND fault = NULL");
    expect(run(TOPIC, JSON.stringify({ device_id: 'meter-0001', online: true, fault: null }), typed)).not.toBeNull();
    expect(run(TOPIC, JSON.stringify({ device_id: 'meter-0002', online: true, fault: null }), typed)).toBeNull();
  });
});

describe('payloads that are not a JSON object', () => {
  it.each([
    ['invalid JSON', utf8('{"readings": [ {"ts": '), 'not_json'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'not_json'],
    ['a JSON array', utf8(JSON.stringify([BATCH])), 'not_object'],
    ['a JSON number', utf8('42'), 'not_object'],
    ['JSON null', utf8('null'), 'not_object'],
  ])('passes %s on unchanged, for the transform to fail as a whole', (_, payload, error) => {
    const out = run(TOPIC, payload) as Uint8Array;
    expect(out).toEqual(payload);
    expect(transformRecord(out, RECEIVED_AT)).toMatchObject({ result: 'ProcessingFailed', error });
  });

  it('treats an empty payload as {} and adds the rule fields (AWS: "empty or JSON payload")', () => {
    expect(JSON.parse(new TextDecoder().decode(run(TOPIC, new Uint8Array(0)) as Uint8Array))).toEqual({
      site_id: 'site-stockholm-01', topic_device_id: 'meter-0001', received_at: RECEIVED_AT,
    });
  });

  it('passes any payload through byte for byte under SELECT * alone', () => {
    const binary = new Uint8Array([0x00, 0x9f, 0x92, 0x96, 0x0a]);
    expect(run(TOPIC, binary, compileRule("SELECT * FROM 'dt/#'"))).toEqual(binary);
  });

  it('still evaluates a SELECT without * on a binary payload (functions only, as AWS allows)', () => {
    const rule = compileRule("SELECT topic(3) AS site_id, seq FROM 'dt/#'");
    expect(JSON.parse(new TextDecoder().decode(run(TOPIC, new Uint8Array([0xff]), rule) as Uint8Array))).toEqual({ site_id: 'site-stockholm-01' });
  });
});

describe('hostile topics', () => {
  it.each([
    ['an empty site level', 'dt/energy//meter-0001/readings', ''],
    ['a .. site level', 'dt/energy/../meter-0001/readings', '..'],
    ['a non-ASCII site level', 'dt/energy/Göteborg-ström/meter-0001/readings', 'Göteborg-ström'],
    ['an over-long site level', `dt/energy/${'s'.repeat(65)}/meter-0001/readings`, 's'.repeat(65)],
  ])('hands %s through as site_id, for the transform to reject', (_, topic, siteId) => {
    const out = run(topic, JSON.stringify(BATCH)) as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(out))).toMatchObject({ site_id: siteId });
    const outcome = transformRecord(out, RECEIVED_AT);
    expect(outcome.result === 'Ok' && outcome.rejected.map((r) => r.reason)).toEqual(['invalid_site_id', 'invalid_site_id']);
  });

  it('hands an invalid device level through as topic_device_id, for the transform to reject', () => {
    const outcome = transformRecord(run('dt/energy/site-stockholm-01/meter 1/readings', JSON.stringify(BATCH)) as Uint8Array, RECEIVED_AT);
    expect(outcome.result === 'Ok' && outcome.rejected.map((r) => r.reason)).toEqual(['invalid_device_id', 'invalid_device_id']);
  });

  it.each([
    ['a NUL byte', 'dt/energy/site\u0000x/meter-0001/readings'],
    ['a + in a level', 'dt/energy/+/meter-0001/readings'],
    ['a # in a level', 'dt/energy/site#1/meter-0001/readings'],
    ['an empty topic', ''],
  ])('does not fire for a topic with %s', (_, topic) => {
    expect(run(topic, JSON.stringify(BATCH))).toBeNull();
  });

  it('never throws, whatever the topic and payload', () => {
    const level = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('', '.', '..', '+', '#', '$aws', 'rules', READINGS_RULE_NAME));
    const topic = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(level, { maxLength: 8 }).map((levels) => levels.join('/')),
      fc.tuple(level, level).map(([site, device]) => `dt/energy/${site}/${device}/readings`),
    );
    const payload = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.jsonValue().map((value) => utf8(JSON.stringify(value) ?? '')));
    fc.assert(fc.property(topic, payload, (t, p) => {
      const out = run(t, p);
      expect(out === null || out instanceof Uint8Array).toBe(true);
    }), { numRuns: 2000 });
  });
});

describe('evaluateForAction: what a rule action with a separator receives', () => {
  const message = (topic: string, payload: string): RuleMessage => ({ topic, payload: utf8(payload), receivedAt: RECEIVED_AT, clientId: 'meter-0001' });
  const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

  it('is the rule output with the separator after it', () => {
    const sent = readingsRule.evaluateForAction(message(TOPIC, JSON.stringify(BATCH)), '\n');
    expect(text(sent!.data)).toBe(`${text(run(TOPIC, JSON.stringify(BATCH))!)}\n`);
  });

  it('hands over the object that the output encodes, so that the transform need not parse it again', () => {
    const payload = JSON.stringify({ ...BATCH, site_id: 'device-claimed-site', extra: { nested: [1, 2] } });
    const sent = readingsRule.evaluateForAction(message(TOPIC, payload), '\n');
    expect(sent!.json).toEqual(JSON.parse(text(sent!.data)));
    expect(Object.keys(sent!.json!)).toEqual(Object.keys(JSON.parse(text(sent!.data)) as object));
  });

  it('lets every alias see the payload as sent, even one that reads a field another alias replaces', () => {
    const rule = compileRule("SELECT *, 'fixed' AS site_id, site_id AS claimed FROM 'dt/#'");
    const sent = rule.evaluateForAction(message('dt/x', '{"site_id":"from-device"}'), '\n');
    expect(sent!.json).toEqual({ site_id: 'fixed', claimed: 'from-device' });
    expect(JSON.parse(text(sent!.data))).toEqual(sent!.json);
  });

  it('hands over no object where the output would not read back as it (a -0 value) or is not an object', () => {
    const rule = compileRule("SELECT *, nested.v AS v FROM 'dt/#'");
    expect(rule.evaluateForAction(message('dt/x', '{"nested":{"v":-0}}'), '\n')!.json).toBeUndefined();
    const array = readingsRule.evaluateForAction(message(TOPIC, '[1,2]'), '\n');
    expect([text(array!.data), array!.json]).toEqual(['[1,2]\n', undefined]);
    expect(text(readingsRule.evaluateForAction(message(TOPIC, ''), '\n')!.data)).toBe(`${text(run(TOPIC, '')!)}\n`);
  });

  it('agrees with evaluate() and JSON.parse for any payload', () => {
    const payload = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.jsonValue().map((value) => utf8(JSON.stringify(value) ?? '')));
    fc.assert(fc.property(payload, (p) => {
      const sent = readingsRule.evaluateForAction({ topic: TOPIC, payload: p, receivedAt: RECEIVED_AT }, '\n');
      const out = run(TOPIC, p);
      expect(Buffer.from(sent!.data)).toEqual(Buffer.concat([out!, utf8('\n')]));
      if (sent!.json !== undefined) expect(sent!.json).toEqual(JSON.parse(text(sent!.data)));
    }), { numRuns: 2000 });
  });
});

describe('compileRule', () => {
  it('exposes the SQL and its topic filter', () => {
    expect(readingsRule).toMatchObject({ sql: READINGS_RULE_SQL, topicFilter: 'dt/energy/+/+/readings' });
  });

  it('throws RuleSqlError for SQL outside the subset, before any message is seen', () => {
    expect(() => compileRule("SELECT *, get(readings, 0) AS first FROM 'dt/#'")).toThrow(RuleSqlError);
  });
});
