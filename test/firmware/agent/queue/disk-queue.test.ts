import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskQueue, type DiskQueueOptions } from '../../../../firmware/agent/queue/disk-queue.ts';

let dir: string;
const opened: DiskQueue[] = [];
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wattlake-agent-queue-')); });
afterEach(async () => {
  for (const q of opened.splice(0)) await q.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function openQueue(options: Partial<DiskQueueOptions> = {}): Promise<DiskQueue> {
  const queue = await DiskQueue.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 64 * 1024, ...options });
  opened.push(queue);
  return queue;
}

/** A batch payload of `readings` readings, as the agent builds it. */
const payload = (seq: number, readings = 4): string => JSON.stringify({
  device_id: 'meter-0001', seq,
  readings: Array.from({ length: readings }, (_, i) => ({ ts: 1_795_132_800_000 + (seq * readings + i) * 15_000, energy_import_kwh: 1000 + seq + i / 1000 })),
});

async function drain(queue: DiskQueue): Promise<{ id: number; text: string }[]> {
  const out: { id: number; text: string }[] = [];
  for (let entry = queue.next(-1); entry; entry = queue.next(entry.id)) out.push({ id: entry.id, text: (await queue.payload(entry.id))!.toString() });
  return out;
}

const segments = async (): Promise<string[]> => (await readdir(dir)).filter((n) => n.endsWith('.seg')).sort();

describe('DiskQueue', () => {
  it('numbers messages 0, 1, 2 … and hands them out in order', async () => {
    const queue = await openQueue();
    for (let i = 0; i < 3; i++) expect(await queue.append(4, (seq) => payload(seq))).toBe(i);
    expect(await drain(queue)).toEqual([0, 1, 2].map((id) => ({ id, text: payload(id) })));
    expect(queue.stats()).toMatchObject({ messages: 3, readings: 12, head: 0, nextId: 3 });
  });

  it('keeps undelivered messages and the sequence across a restart', async () => {
    const first = await openQueue();
    for (let i = 0; i < 5; i++) await first.append(4, (seq) => payload(seq));
    await first.ack(0);
    await first.ack(1);
    await first.close();
    const second = await openQueue();
    expect((await drain(second)).map((e) => e.id)).toEqual([2, 3, 4]);
    expect(await second.append(4, (seq) => payload(seq))).toBe(5);
  });

  it('keeps the sequence going after everything was delivered and the files were deleted', async () => {
    const first = await openQueue({ segmentBytes: 1024 });
    for (let i = 0; i < 6; i++) await first.append(4, (seq) => payload(seq));
    for (let i = 0; i < 6; i++) await first.ack(i);
    await first.close();
    const second = await openQueue({ segmentBytes: 1024 });
    expect(second.stats()).toMatchObject({ messages: 0, nextId: 6 });
    expect(await second.append(4, (seq) => payload(seq))).toBe(6);
  });

  it('moves the checkpoint only over contiguous acknowledgements', async () => {
    const queue = await openQueue();
    for (let i = 0; i < 4; i++) await queue.append(4, (seq) => payload(seq));
    await queue.ack(1);
    await queue.ack(2);
    expect(queue.stats()).toMatchObject({ head: 0, messages: 4 });
    expect(queue.next(-1)?.id).toBe(0);
    expect(queue.next(0)?.id).toBe(3); // 1 and 2 were delivered already
    await queue.ack(0);
    expect(queue.stats()).toMatchObject({ head: 3, messages: 1, readings: 4 });
  });

  it('deletes a segment once every message in it was delivered', async () => {
    const queue = await openQueue({ segmentBytes: 1024 });
    for (let i = 0; i < 8; i++) await queue.append(4, (seq) => payload(seq));
    const before = await segments();
    expect(before.length).toBeGreaterThan(2);
    for (let i = 0; i < 8; i++) await queue.ack(i);
    expect(await segments()).toEqual([before.at(-1)]);
  });

  it('when full, evicts the oldest messages whole, counts them and reports them', async () => {
    const losses: { messages: number; readings: number; ids: [number, number] }[] = [];
    const queue = await openQueue({ maxBytes: 4096, segmentBytes: 1024, onEvict: (loss) => losses.push(loss) });
    for (let i = 0; i < 40; i++) await queue.append(4, (seq) => payload(seq));
    const stats = queue.stats();
    expect(stats.bytes).toBeLessThanOrEqual(4096);
    expect(losses.length).toBeGreaterThan(0);
    const lost = losses.reduce((n, l) => n + l.messages, 0);
    expect(stats).toMatchObject({ evictedMessages: lost, evictedReadings: 4 * lost, messages: 40 - lost, head: lost });
    // Oldest first: the lost ids are exactly 0 … lost-1, and what is left is the newest, in order.
    expect(losses.map((l) => l.ids)).toEqual(losses.map((_, i) => [losses.slice(0, i).reduce((n, l) => n + l.messages, 0), losses.slice(0, i + 1).reduce((n, l) => n + l.messages, 0) - 1]));
    expect((await drain(queue)).map((e) => e.id)).toEqual(Array.from({ length: 40 - lost }, (_, i) => lost + i));
  });

  it('remembers the loss counts across a restart', async () => {
    const first = await openQueue({ maxBytes: 4096, segmentBytes: 1024 });
    for (let i = 0; i < 40; i++) await first.append(4, (seq) => payload(seq));
    const { evictedMessages, evictedReadings } = first.stats();
    expect(evictedMessages).toBeGreaterThan(0);
    await first.close();
    expect((await openQueue({ maxBytes: 4096, segmentBytes: 1024 })).stats()).toMatchObject({ evictedMessages, evictedReadings });
  });

  it('cuts off a torn tail (a write cut short by a crash) and keeps every intact message', async () => {
    const first = await openQueue();
    for (let i = 0; i < 3; i++) await first.append(4, (seq) => payload(seq));
    await first.close();
    const [file] = await segments();
    const intact = (await stat(join(dir, file!))).size;
    // Half of a fourth record, as kill -9 in the middle of write() would leave it.
    await appendFile(join(dir, file!), Buffer.from([0x90, 0x01, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02]));
    const recoveries: unknown[] = [];
    const second = await openQueue({ onRecover: (info) => recoveries.push(info) });
    expect(recoveries).toEqual([{ segment: file, droppedBytes: 10, reason: 'partial record body', keptRecords: 3 }]);
    expect((await stat(join(dir, file!))).size).toBe(intact);
    expect(await drain(second)).toEqual([0, 1, 2].map((id) => ({ id, text: payload(id) })));
    expect(second.stats().tornBytesDropped).toBe(10);
    expect(await second.append(4, (seq) => payload(seq))).toBe(3);
  });

  it('stops at a record whose checksum does not match (a sector that was not written)', async () => {
    const first = await openQueue();
    for (let i = 0; i < 3; i++) await first.append(4, (seq) => payload(seq));
    await first.close();
    const [file] = await segments();
    const bytes = await readFile(join(dir, file!));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 5) ^ 0xff, bytes.length - 5); // flips a byte of the last record's payload
    await writeFile(join(dir, file!), bytes);
    const second = await openQueue();
    expect((await drain(second)).map((e) => e.id)).toEqual([0, 1]);
  });

  it('drops a segment whose header was torn (crash right after creating it)', async () => {
    const first = await openQueue();
    await first.append(4, (seq) => payload(seq));
    await first.close();
    const [file] = await segments();
    await truncate(join(dir, file!), 3);
    const second = await openQueue();
    expect(second.stats()).toMatchObject({ messages: 0, nextId: 0 });
    expect(await segments()).not.toContain(file);
  });

  it('refuses a damaged checkpoint instead of replaying or skipping blindly', async () => {
    await writeFile(join(dir, 'cursor.json'), '{"head": -4}');
    await expect(DiskQueue.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 })).rejects.toThrow(/not a valid cursor/);
  });
});
