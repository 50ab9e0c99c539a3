import { describe, expect, it } from 'vitest';
import { base64Length, transformBatch, type PlainRecord } from '../../../pipeline/transform/batch.ts';
import { transformFirehoseEvent } from '../../../pipeline/transform/firehose.ts';
import { ruleOutput } from '../../helpers/hostile-corpus.ts';

const RECEIVED_AT = Date.UTC(2026, 10, 21, 10, 0, 0);
const ARRIVAL = RECEIVED_AT + 1_500;

/** What the rule (plus its newline separator) makes of a payload published by meter-0001. */
function plain(payload: unknown): PlainRecord {
  const data = ruleOutput('dt/energy/site-01/meter-0001/readings', Buffer.from(JSON.stringify(payload)), RECEIVED_AT) as Uint8Array;
  return { data: Buffer.concat([data, Buffer.from('\n')]), arrivalMs: ARRIVAL };
}
const reading = (minute: number) => ({ ts: new Date(Date.UTC(2026, 10, 21, 9, minute)).toISOString(), energy_import_kwh: 4021.5 + minute / 100, power_w: 1800 + minute, voltage_v: 230.4 });
const batchOf = (seq: number, n: number) => ({ device_id: 'meter-0001', seq, readings: Array.from({ length: n }, (_, i) => reading(i)) });

describe('transformBatch: the transform core on plain bytes', () => {
  it('returns each record\'s JSON lines and dt as text, one outcome per record in input order', () => {
    const records = [plain(batchOf(1, 2)), { data: Buffer.from('not json\n'), arrivalMs: ARRIVAL }, plain({ device_id: 'meter-0001', readings: [] })];
    const { outcomes, failures, stats } = transformBatch(records);
    expect(outcomes.map((o) => o.result)).toEqual(['Ok', 'ProcessingFailed', 'Dropped']);
    const ok = outcomes[0] as Extract<(typeof outcomes)[number], { result: 'Ok' }>;
    expect(ok.dt).toBe('2026-11-21');
    expect(ok.lines.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ site_id: 'site-01', device_id: 'meter-0001', ts: Date.UTC(2026, 10, 21, 9, 0), seq: 1, received_at: RECEIVED_AT }),
      expect.objectContaining({ ts: Date.UTC(2026, 10, 21, 9, 1), energy_import_kwh: 4021.51 }),
    ]);
    expect(failures).toEqual([{ index: 1, error: 'not_json', detail: expect.any(String) }]);
    expect(stats).toMatchObject({ records: 3, okRecords: 1, droppedRecords: 1, accepted: 2, failedRecords: { not_json: 1 } });
  });

  it('answers exactly as the Firehose contract does for the same records, budget failures included', () => {
    const records = Array.from({ length: 12 }, (_, i) => plain(batchOf(i, 60 + i)));
    // A budget that holds about half of the outputs, so some records fail for size.
    const maxResponseBytes = records.reduce((n, r) => n + base64Length(r.data.byteLength), 0) * 1.2;
    const core = transformBatch(records, { maxResponseBytes });
    const firehose = transformFirehoseEvent({
      records: records.map((r, i) => ({ recordId: `r-${i}`, approximateArrivalTimestamp: r.arrivalMs, data: Buffer.from(r.data).toString('base64') })),
    }, { maxResponseBytes });

    expect(core.failures.map((f) => f.error)).toContain('response_size_limit');
    expect(core.outcomes.map((o) => o.result)).toEqual(firehose.response.records.map((r) => r.result));
    expect(core.outcomes.map((o) => (o.result === 'Ok' ? o.lines : null))).toEqual(
      firehose.response.records.map((r) => (r.result === 'Ok' ? Buffer.from(r.data!, 'base64').toString('utf8') : null)));
    expect(core.failures.map((f) => ({ recordId: `r-${f.index}`, error: f.error, detail: f.detail }))).toEqual(firehose.failures);
    expect(core.stats).toEqual(firehose.stats);
  });

  it('counts sizes as base64 lengths', () => {
    expect([0, 1, 2, 3, 4, 1_000_000].map(base64Length)).toEqual([0, 1, 2, 3, 4, 1_000_000].map((n) => Buffer.alloc(n).toString('base64').length));
  });
});
