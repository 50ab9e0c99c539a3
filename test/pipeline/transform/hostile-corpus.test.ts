// Every case of test/fixtures/hostile/ through the IoT rule and the transform: the outcome is the
// one the contract prescribes, nothing throws, and every reading is accounted for exactly once.
import { describe, expect, it, test } from 'vitest';
import { transformFirehoseEvent } from '../../../pipeline/transform/firehose.ts';
import { transformRecord, type RecordOutcome } from '../../../pipeline/transform/record.ts';
import {
  caseRuleOutput, loadHostileCorpus, readingCount, ruleMatches, topicLevels, type CaseExpectation, type HostileCase,
} from '../../helpers/hostile-corpus.ts';
import { acceptedViolations, expectedDt, parseLines, rejectedViolations } from '../../helpers/reading-invariants.ts';

const cases = loadHostileCorpus();
const matched = cases.filter((c) => c.expect.kind !== 'no_rule_match');
const unmatched = cases.filter((c) => c.expect.kind === 'no_rule_match');
/** Firehose stamps its arrival a little after the rule's receive time. */
const arrivalOf = (c: HostileCase): number => c.receivedAt + 2_000;

/** The outcome in the shape of a case's expectation, so a mismatch shows as one readable diff. */
function summarize(outcome: RecordOutcome): CaseExpectation | { kind: 'record_error'; error: string } {
  if (outcome.result === 'ProcessingFailed') return { kind: 'record_error', error: outcome.error };
  if (outcome.result === 'Dropped') return { kind: 'dropped' };
  const rejected: Record<string, number> = {};
  for (const r of outcome.rejected) rejected[r.reason] = (rejected[r.reason] ?? 0) + 1;
  return { kind: 'readings', accepted: outcome.accepted.length, rejected };
}

function ruleBytes(c: HostileCase): Uint8Array {
  const bytes = caseRuleOutput(c);
  if (bytes === null) throw new Error(`${c.file}: the rule does not match ${JSON.stringify(c.topic)}`);
  return bytes;
}

describe('hostile corpus', () => {
  it('holds at least 110 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(110);
  });

  it('expects rule_match: false exactly for the topics the rule filter does not match', () => {
    expect(cases.filter((c) => !ruleMatches(c.topic)).map((c) => c.file)).toEqual(unmatched.map((c) => c.file));
  });

  test.each(cases.filter((c) => c.expect.kind === 'readings'))('$file: its expectation accounts for every reading of its payload', (c) => {
    if (c.expect.kind !== 'readings') throw new Error('filtered above');
    const expected = c.expect.accepted + Object.values(c.expect.rejected).reduce((a, b) => a + b, 0);
    expect(expected).toBe(readingCount(c.payload));
  });

  test.each(matched)('$file: transformRecord gives the contract outcome', (c) => {
    const bytes = ruleBytes(c);
    const run = (): RecordOutcome => transformRecord(bytes, arrivalOf(c));
    expect(run).not.toThrow();
    expect(summarize(run())).toEqual(c.expect);
  });

  test.each(matched.filter((c) => c.expect.kind === 'readings'))('$file: every reading becomes exactly one valid line', (c) => {
    const outcome = transformRecord(ruleBytes(c), arrivalOf(c));
    if (outcome.result !== 'Ok') throw new Error(`expected Ok, got ${outcome.result}`);
    const levels = topicLevels(c.topic);
    const ctx = { siteId: levels[2], deviceId: levels[3], receivedAt: c.receivedAt };
    const lines = parseLines(outcome.lines);

    expect(outcome.accepted.length + outcome.rejected.length).toBe(readingCount(c.payload));
    expect(lines).toHaveLength(outcome.accepted.length + outcome.rejected.length);
    const acceptedLines = lines.filter((l) => !Object.hasOwn(l, 'reason'));
    expect(acceptedLines).toEqual(JSON.parse(JSON.stringify(outcome.accepted)));
    for (const line of acceptedLines) expect(acceptedViolations(line, ctx)).toEqual([]);
    for (const line of lines.filter((l) => Object.hasOwn(l, 'reason'))) expect(rejectedViolations(line, ctx)).toEqual([]);
    expect(outcome.dt).toBe(expectedDt(lines));
  });

  test.each(matched)('$file: the Firehose result agrees with the record outcome', (c) => {
    const data = Buffer.from(ruleBytes(c)).toString('base64');
    const event = { records: [{ recordId: '49546986683135544286507457936321625675700192471156785154', approximateArrivalTimestamp: arrivalOf(c), data }] };
    const run = () => transformFirehoseEvent(event);
    expect(run).not.toThrow();
    const [record] = run().response.records;
    const expected = { record_error: 'ProcessingFailed', readings: 'Ok', dropped: 'Dropped', no_rule_match: 'unreachable' }[c.expect.kind];
    expect(record?.result).toBe(expected);
    expect(record?.recordId).toBe(event.records[0]?.recordId);
  });

  test.each(unmatched)('$file: a message the rule never forwards still cannot crash the transform', (c) => {
    expect(() => transformRecord(c.payload, arrivalOf(c))).not.toThrow();
    expect(() => transformFirehoseEvent({ records: [{ recordId: '1', approximateArrivalTimestamp: arrivalOf(c), data: Buffer.from(c.payload).toString('base64') }] })).not.toThrow();
  });
});
