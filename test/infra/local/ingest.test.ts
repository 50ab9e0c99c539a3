import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestLines } from '../../../infra/local/ingest.ts';
import { FolderStore } from '../../../pipeline/storage/folder-store.ts';
import { loadHostileCorpus } from '../../helpers/hostile-corpus.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';
import { execFileAsync, WATTLAKE_BIN } from '../../helpers/cli.ts';

const FIXTURE = new URL('../../fixtures/ingest/fleet-small.jsonl', import.meta.url);
const fixtureLines = readFileSync(FIXTURE, 'utf8').split('\n').filter((l) => l.trim() !== '');

/** What the fixture holds, computed here without any pipeline code: distinct (device, ts) readings and their register sum. */
function expectedFromFixture(): { count: number; sumKwh: number; devices: number } {
  const seen = new Map<string, number>();
  for (const line of fixtureLines) {
    const { payload } = JSON.parse(line) as { payload: { device_id: string; readings: { ts: string | number; energy_import_kwh: number }[] } };
    for (const r of payload.readings) {
      const ts = typeof r.ts === 'number' ? r.ts : Date.parse(r.ts);
      const key = `${payload.device_id}@${ts}`;
      if (!seen.has(key)) seen.set(key, r.energy_import_kwh);
    }
  }
  const sumKwh = [...seen.values()].reduce((a, b) => a + Math.round(b * 1000) / 1000, 0);
  return { count: seen.size, sumKwh, devices: new Set([...seen.keys()].map((k) => k.split('@')[0])).size };
}

const LAYOUT = [
  /^raw\/readings\/dt=\d{4}-\d{2}-\d{2}\/[\w.-]+\.gz$/,
  /^errors\/readings\/[\w.-]+\.jsonl\.gz$/,
  /^curated\/readings\/dt=\d{4}-\d{2}-\d{2}\/[\w.-]+\.parquet$/,
  /^curated\/rejected_readings\/dt=\d{4}-\d{2}-\d{2}\/[\w.-]+\.parquet$/,
];

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe('ingest', () => {
  let lake: TestLake;
  beforeEach(async () => { lake = await createTestLake(); });
  afterEach(async () => { await lake.dispose(); });

  const totals = () => lake.query('SELECT count(*) AS n, sum(energy_import_kwh)::DOUBLE AS kwh, count(DISTINCT device_id) AS devices FROM readings_unique');

  it('turns the fixture into Parquet in the contract layout whose totals match the fixture', async () => {
    const summary = await ingestLines(fixtureLines, { store: lake.store, duckdb: lake.duckdb });
    const expected = expectedFromFixture();
    expect(summary.accepted).toBe(expected.count);
    const files = await filesUnder(lake.root);
    expect(files.filter((f) => f.startsWith('curated/readings/')).length).toBeGreaterThan(0);
    for (const file of files) expect(LAYOUT.some((p) => p.test(file)), file).toBe(true);
    const [row] = await totals();
    expect(row?.n).toBe(expected.count);
    expect(row?.devices).toBe(expected.devices);
    expect(row?.kwh as number).toBeCloseTo(expected.sumKwh, 3);
  });

  it('gives the same answers when the same file is ingested twice', async () => {
    await ingestLines(fixtureLines, { store: lake.store, duckdb: lake.duckdb });
    const once = await totals();
    await ingestLines(fixtureLines, { store: lake.store, duckdb: lake.duckdb });
    expect(await totals()).toEqual(once);
    const stored = await lake.query('SELECT count(*) AS n FROM readings');
    expect(stored[0]?.n).toBe(2 * (once[0]?.n as number)); // stored twice, counted once
  });

  it('gives the same answers when every message arrives twice (QoS 1 redelivery)', async () => {
    await ingestLines(fixtureLines, { store: lake.store, duckdb: lake.duckdb });
    const once = await totals();
    const other = await createTestLake();
    try {
      const doubled = fixtureLines.flatMap((line) => {
        const m = JSON.parse(line) as { received_at: number };
        return [line, JSON.stringify({ ...m, received_at: m.received_at + 30_000 })];
      });
      const summary = await ingestLines(doubled, { store: other.store, duckdb: other.duckdb });
      expect(summary.duplicatesRemoved).toBe(summary.accepted / 2);
      const [row] = await other.query('SELECT count(*) AS n, sum(energy_import_kwh)::DOUBLE AS kwh, count(DISTINCT device_id) AS devices FROM readings_unique');
      expect(row).toEqual(once[0]);
    } finally {
      await other.dispose();
    }
  });

  it('reports input lines that are not recorded messages, with their line number, and ingests the rest', async () => {
    const summary = await ingestLines([fixtureLines[0]!, 'not json', '{"payload": {}}', fixtureLines[1]!], { store: lake.store, duckdb: lake.duckdb });
    expect(summary.messages).toBe(2);
    expect(summary.invalidLines).toEqual([
      { line: 2, error: expect.stringContaining('not JSON') },
      { line: 3, error: 'topic must be a string' },
    ]);
  });
});

describe('ingest of the hostile corpus', () => {
  const corpus = loadHostileCorpus();
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const isUtf8 = (bytes: Uint8Array): boolean => { try { utf8.decode(bytes); return true; } catch { return false; } };
  // The ingest file is JSON text, so it can carry any payload except invalid UTF-8 (covered at transform level).
  const cases = corpus.filter((c) => isUtf8(c.payload));
  let parent: string;
  beforeEach(async () => { parent = await mkdtemp(join(tmpdir(), 'wattlake-hostile-')); });
  afterEach(async () => { await rm(parent, { recursive: true, force: true }); });

  it('accounts for every reading as accepted or quarantined and writes only inside the lake', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const lakeRoot = join(parent, 'lake');
    const lake = await createTestLake();
    const store = new FolderStore(lakeRoot);
    try {
      const lines = cases.map((c) => JSON.stringify({ topic: c.topic, payload: utf8.decode(c.payload), received_at: c.receivedAt }));
      const summary = await ingestLines(lines, { store, duckdb: lake.duckdb });

      const expected = { accepted: 0, rejected: {} as Record<string, number>, failed: {} as Record<string, number>, unrouted: 0, dropped: 0 };
      for (const c of cases) {
        const e = c.expect;
        if (e.kind === 'readings') {
          expected.accepted += e.accepted;
          for (const [reason, n] of Object.entries(e.rejected)) expected.rejected[reason] = (expected.rejected[reason] ?? 0) + (n ?? 0);
        } else if (e.kind === 'record_error') expected.failed[e.error] = (expected.failed[e.error] ?? 0) + 1;
        else if (e.kind === 'no_rule_match') expected.unrouted++;
        else expected.dropped++;
      }
      expect(summary.accepted).toBe(expected.accepted);
      expect(summary.rejected).toEqual(expected.rejected);
      expect(summary.failedRecords).toEqual(expected.failed);
      expect(summary.unrouted).toBe(expected.unrouted);
      expect(summary.droppedRecords).toBe(expected.dropped);

      expect(await readdir(parent)).toEqual(['lake']);
      for (const file of await filesUnder(lakeRoot)) expect(LAYOUT.some((p) => p.test(file)), file).toBe(true);

      const connection = await lake.duckdb.connect();
      try {
        const { createLakeViews } = await import('../../../pipeline/query/catalog.ts');
        await createLakeViews(connection, lakeRoot);
        const stored = (await connection.runAndReadAll('SELECT (SELECT count(*) FROM readings)::INT, (SELECT count(*) FROM rejected_readings)::INT')).getRows()[0];
        expect(stored).toEqual([expected.accepted - summary.duplicatesRemoved, Object.values(expected.rejected).reduce((a, b) => a + b, 0)]);
      } finally {
        connection.closeSync();
      }
    } finally {
      await lake.dispose();
    }
  });
});

describe('wattlake ingest (CLI)', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wattlake-cli-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('prints accepted and rejected counts by reason', async () => {
    const input = join(dir, 'in.jsonl');
    const bad = { topic: 'dt/energy/site-01/meter-0001/readings', payload: { readings: [{ ts: '2026-11-20T10:00:00Z', energy_import_kwh: -2 }, { ts: 'soon', energy_import_kwh: 1 }] }, received_at: Date.UTC(2026, 10, 20, 10, 1) };
    await writeFile(input, [...fixtureLines.slice(0, 3), JSON.stringify(bad)].join('\n'));
    const { stdout } = await execFileAsync(process.execPath, [WATTLAKE_BIN, 'ingest', input, '--lake', join(dir, 'lake')]);
    expect(stdout).toMatch(/ingested 4 messages/);
    expect(stdout).toMatch(/rejected readings: 2\n\s+energy_negative: 1\n\s+ts_invalid: 1/);
  });

  it('fails with a clear message when the input file does not exist', async () => {
    await expect(execFileAsync(process.execPath, [WATTLAKE_BIN, 'ingest', join(dir, 'missing.jsonl'), '--lake', join(dir, 'lake')])).rejects.toMatchObject({
      code: 1, stderr: expect.stringContaining('is not a readable file'),
    });
  });
});
