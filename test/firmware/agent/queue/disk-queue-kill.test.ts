// Power loss, approximated: a child process appends to the queue as fast as it can and is
// killed with SIGKILL at random moments (mostly inside write() or fsync()), five times over on
// the same folder. Every append that had resolved must be there, intact, in order; nothing
// may be corrupt; and the sequence continues after each restart.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DiskQueue } from '../../../../firmware/agent/queue/disk-queue.ts';
import { tempDir } from '../fixture.ts';
import { crashPayload } from './crash-payload.ts';

const CHILD = fileURLToPath(new URL('./append-child.ts', import.meta.url));
const ROUNDS = 5;

let dir: string;
beforeEach(async () => { dir = await tempDir('kill'); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

/** Runs the child until it has acknowledged some appends, kills it after a random delay, returns the seqs it acknowledged. */
async function appendUntilKilled(): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  const deadline = Date.now() + 30_000;
  while (out.split('\n').length < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 300));
  child.kill('SIGKILL');
  expect(await exited, err).toBe('SIGKILL');
  return out.split('\n').filter((line) => /^\d+$/.test(line)).map(Number);
}

it('keeps every append acknowledged before each of five kill -9s, intact and in order', async () => {
  const acknowledged: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const seqs = await appendUntilKilled();
    expect(seqs.length).toBeGreaterThan(0);
    // The sequence continues past everything acknowledged before the kill.
    if (acknowledged.length > 0) expect(seqs[0]).toBeGreaterThan(acknowledged.at(-1) as number);
    acknowledged.push(...seqs);
  }
  const queue = await DiskQueue.open({ dir, maxBytes: 256 * 1024, segmentBytes: 16 * 1024 });
  try {
    const { evictedMessages, head } = queue.stats();
    const kept: number[] = [];
    for (let entry = queue.next(-1); entry; entry = queue.next(entry.id)) {
      expect((await queue.payload(entry.id))?.toString()).toBe(crashPayload(entry.id));
      kept.push(entry.id);
    }
    // Evicted (the bound is small) are only the oldest, and counted; every later acknowledged append is kept.
    const expectedKept = acknowledged.filter((seq) => seq >= head);
    expect(kept.filter((seq) => acknowledged.includes(seq))).toEqual(expectedKept);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(evictedMessages).toBeLessThanOrEqual(head);
  } finally {
    await queue.close();
  }
});
