// The twin suite's acceptance table, rendered from a real suite run (2026-11-27, a slow spell of
// the machine, in test/fixtures/bench/): each target is judged on the twin's runs, with aedes
// alone's runs of the same load in the same suite run next to it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TwinSuiteResult } from '../../bench/twin/suite.ts';
import { twinTables } from '../../bench/twin/tables.ts';

const run88 = JSON.parse(readFileSync(new URL('../fixtures/bench/twin-suite-2026-11-27.json', import.meta.url), 'utf8')) as TwinSuiteResult;

/** The acceptance table's row whose first cell starts with `criterion`, as its cells. */
function acceptanceRow(result: TwinSuiteResult, criterion: string): string[] {
  const section = twinTables(result).split('### Twin: acceptance')[1] ?? '';
  const line = section.split('\n').find((l) => l.startsWith(`| ${criterion}`));
  if (line === undefined) throw new Error(`no acceptance row for ${criterion}`);
  return line.slice(2, -2).split(' | ');
}

describe('twin suite acceptance table', () => {
  it('puts aedes alone\'s batched max run next to the twin\'s, with the ratio of the two', () => {
    expect(acceptanceRow(run88, 'twin, batched: readings/s')).toEqual([
      'twin, batched: readings/s publish -> Parquet (max run)', '63,140 /s', '135,407 /s (meets the target)', '0.47x', '>= 100,000 /s: FAIL',
    ]);
  });

  it('says when aedes alone, with no persistence, misses the same target in the same run', () => {
    expect(acceptanceRow(run88, 'twin, single: PUBACK p99')).toEqual([
      'twin, single: PUBACK p99 at 10,000 /s messages (paced run)', '917 ms at 9,550 /s', '110 ms at 9,999 /s (misses the target too)', '', '<= 50 ms at the target rate: FAIL',
    ]);
  });

  it('fails a low p99 that was measured below the target rate', () => {
    const slow = structuredClone(run88);
    const batched = slow.runs.find((r) => r.system === 'twin' && r.load === 'batched' && r.spec.kind === 'paced' && r.spec.messagesPerSecond === 10_000);
    if (batched === undefined) throw new Error('fixture lacks the twin\'s batched run at 10,000 messages/s');
    batched.generator.latency.p99Ms = 40; // but only 8,342 messages/s were sent
    expect(acceptanceRow(slow, 'twin, batched: PUBACK p99').slice(1)).toEqual(['40 ms at 8,342 /s', '43 ms at 9,998 /s (meets the target)', '', '<= 50 ms at the target rate: FAIL']);
  });

  it('checks the lake against the readings acknowledged, which aedes alone does not keep', () => {
    expect(acceptanceRow(run88, 'lake rows')).toEqual([
      'lake rows = readings acknowledged to devices (all twin runs, warm-up included)', '3,553,000 / 3,553,000', 'n/a (keeps nothing)', '', 'equal: pass',
    ]);
  });

  it('passes a target the twin meets even where aedes alone is faster', () => {
    const fast = structuredClone(run88);
    const single = fast.runs.find((r) => r.system === 'twin' && r.load === 'single' && r.spec.kind === 'max');
    if (single === undefined) throw new Error('fixture lacks the twin\'s single max run');
    single.endToEndMs = 9_000; // 100,000 messages in 9 s
    expect(acceptanceRow(fast, 'twin, single-reading').slice(1)).toEqual(['11,111 /s', '12,929 /s (meets the target)', '0.86x', '>= 10,000 /s: pass']);
  });
});
