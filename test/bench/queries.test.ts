// Smoke test of the queries benchmark on a tiny fleet, so the bench code cannot rot unnoticed.
// No timing assertions: only that the lake was built through the converter, every named query
// was measured, and the pruning numbers are sane.
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../bench/measure.ts';
import { benchMonth, runQueriesSuite, type QueriesResult } from '../../bench/queries/suite.ts';
import { queriesTables } from '../../bench/queries/tables.ts';
import { loadNamedQueries } from '../../pipeline/query/named-queries.ts';

const DEVICES = 4;
const DAYS = 2;

describe('queries benchmark suite (4 meters x 2 days, 1 rep)', () => {
  let result: QueriesResult;
  beforeAll(async () => {
    result = await runQueriesSuite({ devices: DEVICES, days: DAYS, reps: 1, log: silentLog });
  }, 300_000);

  it('builds the lake through many small raw objects (a 15-minute window with any message makes one), then compacts each day', () => {
    expect(result.build.readings).toBe(DEVICES * DAYS * 96);
    // Four meters that each publish four readings an hour leave some 15-minute windows empty.
    expect(result.build.rawObjects).toBeGreaterThanOrEqual(DAYS * 24);
    expect(result.build.convertedFiles).toBeGreaterThanOrEqual(result.build.rawObjects);
    expect(result.build.compactedPartitions).toBeGreaterThanOrEqual(DAYS);
    expect(result.lakeFiles).toBeLessThan(result.build.convertedFiles);
  });

  it('finds every converted reading in the lake exactly once', () => {
    for (const p of result.pruning) expect(p.fullScan.rows).toBe(result.build.readings);
  });

  it('times every named query once, with what it read', () => {
    expect(result.queries.map((q) => q.name)).toEqual(loadNamedQueries().map((q) => q.name));
    for (const q of result.queries) {
      expect(q.timing.samplesMs).toHaveLength(1);
      expect(q.profile.filesRead).toBeGreaterThan(0);
      expect(q.profile.bytesRead).toBeGreaterThan(0);
    }
  });

  it('compares a one-site query with a full scan before and after compaction', () => {
    expect(result.pruning.map((p) => p.label.split(':')[0])).toEqual(['uncompacted', 'compacted']);
    for (const p of result.pruning) {
      expect(p.bytesShare).toBeGreaterThan(0);
      expect(p.selective.bytesRead).toBeLessThanOrEqual(p.fullScan.bytesRead * 1.5);
    }
    expect(queriesTables(result)).toContain('`daily_consumption`');
  });

  it('queries the calendar month around the middle of the data', () => {
    expect(benchMonth('2025-01-01', 365)).toEqual({ start_date: '2025-07-01', end_date: '2025-07-31' });
    expect(benchMonth('2025-01-30', 5)).toEqual({ start_date: '2025-02-01', end_date: '2025-02-03' });
  });
});
