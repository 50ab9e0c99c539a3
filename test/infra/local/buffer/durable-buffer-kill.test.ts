import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDurableBuffer } from '../../../../infra/local/buffer/durable-buffer.ts';
import { createTestLake, type TestLake } from '../../../helpers/lake.ts';

const CHILD = fileURLToPath(new URL('../../../helpers/buffer-crash-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const ROUNDS = 4;
const ROUND_IDS = 1_000_000;
/** The child keeps this many publishes in flight. */
const IN_FLIGHT = 64;

/** Runs the child until `killAfterMs` after its first acknowledgement, then SIGKILLs it; returns the acknowledged ids. */
async function runUntilKilled(stateDir: string, lakeDir: string, firstId: number, killAfterMs: number): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, stateDir, lakeDir, String(firstId)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  let stderr = '';
  let partial = '';
  let killTimer: NodeJS.Timeout | undefined;
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') continue;
      acked.push(Number(line));
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    }
  });
  // 'close' comes after the pipes are drained: every id the child wrote has been read.
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(killTimer);
  if (signal !== 'SIGKILL') throw new Error(`child exited by itself (code ${code}): ${stderr}`);
  return acked;
}

describe('durable buffer under kill -9', () => {
  let lake: TestLake;
  let stateDir: string;
  beforeEach(async () => {
    lake = await createTestLake();
    stateDir = await mkdtemp(join(tmpdir(), 'wattlake-buffer-kill-'));
  });
  afterEach(async () => {
    await lake.dispose();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged publish, exactly once after deduplication, across repeated SIGKILLs', async () => {
    const rounds: { firstId: number; killAfterMs: number; acked: number[] }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const firstId = round * ROUND_IDS;
      const killAfterMs = Math.round(100 + Math.random() * 1400);
      rounds.push({ firstId, killAfterMs, acked: await runUntilKilled(stateDir, lake.root, firstId, killAfterMs) });
    }
    const context = `kill delays ${rounds.map((r) => r.killAfterMs).join(', ')} ms`;

    const buffer = await openDurableBuffer({ stateDir, store: lake.store, duckdb: lake.duckdb, bufferHints: { sizeMb: 64, intervalSeconds: 600 } });
    await buffer.flush();
    await buffer.close();

    const rows = await lake.query('SELECT seq::BIGINT AS id, count(*)::INT AS n FROM readings_unique GROUP BY seq');
    const stored = new Map(rows.map((r) => [Number(r.id), r.n as number]));
    for (const { firstId, acked } of rounds) {
      expect(acked.length, context).toBeGreaterThan(0);
      const missing = acked.filter((id) => stored.get(id) !== 1);
      expect(missing, context).toEqual([]);
      // Beyond the acknowledged ids, only the ones in flight at the kill may have made it.
      const ackedSet = new Set(acked);
      const extra = [...stored.keys()].filter((id) => id >= firstId && id < firstId + ROUND_IDS && !ackedSet.has(id));
      expect(extra.length, context).toBeLessThanOrEqual(IN_FLIGHT);
    }
    // Nothing left to replay.
    expect((await readdir(join(stateDir, 'spool'))).filter((f) => f.endsWith('.log')), context).toEqual([]);
  }, 180_000);
});
