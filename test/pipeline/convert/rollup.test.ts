// The rollup only makes queries faster: on the golden lake, every named query answers the same
// after compaction has materialized the closed past, wherever the watermark falls (inside
// months-long gaps, on a DST day), after late data, and after a crash half-way.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestLines } from '../../../infra/local/ingest.ts';
import { compactLake } from '../../../pipeline/convert/compact.ts';
import { consecutiveRuns, daysToRebuild, nextClosedUntil } from '../../../pipeline/convert/rollup.ts';
import { runLakeSql, runNamedQuery } from '../../../pipeline/query/lake-sql.ts';
import { loadNamedQueries } from '../../../pipeline/query/named-queries.ts';
import type { PlainRow } from '../../../pipeline/query/rows.ts';
import { rollupKey } from '../../../pipeline/storage/keys.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import type { ObjectStore } from '../../../pipeline/storage/object-store.ts';
import { failingStore } from '../../helpers/failing-store.ts';
import { openGoldenLake, type GoldenLake } from '../../helpers/golden-lake.ts';
import { expectRowsClose } from '../../helpers/rows-close.ts';

/** Wider than the golden lake (September 2025 to November 2026), so every query sees all of it. */
const PERIOD = { start_date: '2025-08-01', end_date: '2026-12-31' };
const noon = (day: string): number => Date.parse(`${day}T12:00:00Z`);

describe('nextClosedUntil', () => {
  it('is UTC midnight liveDays days before now', () => {
    expect(nextClosedUntil(Date.parse('2026-11-25T21:44:00Z'), 2, null)).toBe('2026-11-23');
    expect(nextClosedUntil(Date.parse('2026-11-25T00:00:00Z'), 0, null)).toBe('2026-11-25');
  });

  it('never moves back', () => {
    expect(nextClosedUntil(Date.parse('2026-11-25T12:00:00Z'), 2, '2026-11-24')).toBe('2026-11-24');
  });
});

describe('daysToRebuild', () => {
  it("reaches from a changed day's earliest previous reading to its latest closed next reading", () => {
    const neighbours = new Map([['2026-03-10', { from: '2026-03-08', to: '2026-03-11' }]]);
    expect(daysToRebuild(['2026-03-10'], neighbours, '2026-03-20')).toEqual(['2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11']);
  });

  it('stops the day before the watermark and ignores changed days past it', () => {
    const neighbours = new Map([['2026-03-10', { from: '2026-03-10', to: '2026-03-15' }]]);
    expect(daysToRebuild(['2026-03-10', '2026-03-12'], neighbours, '2026-03-12')).toEqual(['2026-03-10', '2026-03-11']);
  });

  it('rebuilds a changed day without neighbours on its own, each day once', () => {
    const neighbours = new Map([['2026-03-02', { from: '2026-03-01', to: '2026-03-02' }]]);
    expect(daysToRebuild(['2026-03-01', '2026-03-02'], neighbours, '2026-04-01')).toEqual(['2026-03-01', '2026-03-02']);
  });
});

describe('consecutiveRuns', () => {
  it('cuts sorted days into runs of consecutive days, at most max long', () => {
    expect(consecutiveRuns(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02', '2026-03-05'], 3))
      .toEqual([['2026-02-27', '2026-02-28', '2026-03-01'], ['2026-03-02'], ['2026-03-05']]);
  });
});

describe('named queries over the rollup (golden lake)', () => {
  let golden: GoldenLake;
  /** A copy that is compacted step by step, and one that stays uncompacted (all live) with the same readings. */
  let compacted: string;
  let live: string;
  const names = loadNamedQueries().map((q) => q.name);
  const answers = async (lake: string): Promise<Map<string, PlainRow[]>> =>
    new Map(await Promise.all(names.map(async (name) => [name, (await runNamedQuery(golden.duckdb, lake, name, PERIOD)).rows] as const)));
  const expectSameAnswers = async (): Promise<void> => {
    const [want, got] = [await answers(live), await answers(compacted)];
    for (const name of names) {
      expect(want.get(name)!.length, name).toBeGreaterThan(0);
      expectRowsClose(got.get(name)!, want.get(name)!);
    }
  };
  const closedUntil = async (): Promise<string | null> =>
    ((await runLakeSql(golden.duckdb, compacted, 'SELECT CAST(CAST(max(closed_until) AS date) AS varchar) AS day FROM rollup_anchors')).rows[0]?.day as string | null) ?? null;
  const compact = (now: string, store: ObjectStore = new FolderStore(compacted), rebuildRollup = false) =>
    compactLake({ store, duckdb: golden.duckdb, now: noon(now), liveDays: 0, rebuildRollup });

  beforeAll(async () => {
    golden = await openGoldenLake();
    compacted = await mkdtemp(join(tmpdir(), 'wattlake-rollup-compacted-'));
    live = await mkdtemp(join(tmpdir(), 'wattlake-rollup-live-'));
    await cp(golden.root, compacted, { recursive: true });
    await cp(golden.root, live, { recursive: true });
  });
  afterAll(async () => {
    golden.close();
    await rm(compacted, { recursive: true, force: true });
    await rm(live, { recursive: true, force: true });
  });

  it('answer as the live views do with the watermark on a DST day, in the middle of the data', async () => {
    const { rollup } = await compact('2026-03-29');
    expect(rollup).toMatchObject({ closedUntil: '2026-03-29', previousClosedUntil: null });
    expect(rollup.rebuiltDays[0]).toBe('2025-09-01');
    expect(await closedUntil()).toBe('2026-03-29');
    await expectSameAnswers();
  }, 600_000);

  it('answer the same once the watermark has moved on past months-long gaps and the autumn DST days', async () => {
    const { rollup } = await compact('2026-11-15');
    expect(rollup).toMatchObject({ closedUntil: '2026-11-15', previousClosedUntil: '2026-03-29' });
    // sto-heat's gap reaches back from autumn to spring: those days are rebuilt too.
    expect(rollup.rebuiltDays[0]! < '2026-03-29').toBe(true);
    await expectSameAnswers();
  }, 600_000);

  it('count late data for a closed day once the next compaction has rebuilt the days it touches', async () => {
    // The reading sto-main missed at 10:15 on 27 March (its register between its neighbours', an
    // over-voltage), uploaded in November.
    const late = JSON.stringify({
      topic: 'dt/energy/site-sto/sto-main/readings',
      payload: { device_id: 'sto-main', readings: [{ ts: '2026-03-27T10:15:00Z', energy_import_kwh: 33182.91, voltage_v: 260 }] },
      received_at: Date.parse('2026-11-16T08:00:00Z'),
    });
    const quality = async () => (await runNamedQuery(golden.duckdb, live, 'power_quality', { ...PERIOD, site_id: 'site-sto' })).rows;
    const before = await quality();
    for (const lake of [compacted, live]) await ingestLines([late], { store: new FolderStore(lake), duckdb: golden.duckdb });
    expect(await quality()).not.toEqual(before); // the late reading changes answers

    const { partitions, rollup } = await compact('2026-11-16');
    expect(partitions.map((p) => p.dt)).toContain('2026-03-27');
    expect(rollup.rebuiltDays).toEqual(expect.arrayContaining(['2026-03-27']));
    await expectSameAnswers();
  }, 600_000);

  it('answer the same after a compaction that crashed half-way through the rollup, and the next run completes it', async () => {
    const anchorsBefore = await new FolderStore(compacted).get(rollupKey('rollup_anchors', null));
    await expect(compact('2026-11-30', failingStore(new FolderStore(compacted), { putsBeforeFailure: 5 }))).rejects.toThrow(/simulated crash/);
    expect(await new FolderStore(compacted).get(rollupKey('rollup_anchors', null))).toEqual(anchorsBefore);
    expect(await closedUntil()).toBe('2026-11-16');
    await expectSameAnswers();

    const { rollup } = await compact('2026-11-30');
    expect(rollup).toMatchObject({ closedUntil: '2026-11-30', previousClosedUntil: '2026-11-16' });
    await expectSameAnswers();
  }, 600_000);

  it('rebuilds every closed day when asked to (a site changed timezone), with the same answers', async () => {
    const { partitions, rollup } = await compact('2026-11-30', new FolderStore(compacted), true);
    expect(partitions).toEqual([]);
    // Every day from the first reading to the last (25 November): the days of months-long gaps hold slots too.
    expect([rollup.rebuiltDays[0], rollup.rebuiltDays.at(-1)]).toEqual(['2025-09-01', '2026-11-25']);
    expect(rollup.rebuiltDays).toHaveLength((Date.parse('2026-11-25') - Date.parse('2025-09-01')) / 86_400_000 + 1);
    await expectSameAnswers();
  }, 600_000);

  it("leaves the live views only each device's anchor once every reading is closed", async () => {
    const { rows } = await runLakeSql(golden.duckdb, compacted, `SELECT count(*) AS n, count(CASE WHEN NOT is_anchor THEN 1 END) AS live,
      CAST(min(CASE WHEN NOT is_anchor THEN ts END) AS varchar) AS first_live FROM metering_input`);
    const [devices] = (await runLakeSql(golden.duckdb, compacted, 'SELECT count(DISTINCT device_id) AS n FROM readings')).rows;
    expect(rows[0]).toMatchObject({ n: devices!.n, live: 0, first_live: null });
  });
});
