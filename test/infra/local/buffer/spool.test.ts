import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from '../../../../infra/local/buffer/spool.ts';
import type { SpoolRecord } from '../../../../infra/local/buffer/spool-format.ts';

const RECEIVED = Date.parse('2026-11-21T10:00:05Z');
const ruleOutput = (seq: number): SpoolRecord => ({
  kind: 'rule-output',
  receivedAt: RECEIVED + seq,
  data: Buffer.from(JSON.stringify({
    device_id: 'meter-0001', seq, readings: [{ ts: '2026-11-21T10:00:00Z', energy_import_kwh: 1234.5 + seq }],
    site_id: 'site-01', topic_device_id: 'meter-0001', received_at: RECEIVED + seq,
  })),
});
const text = (record: SpoolRecord): string => Buffer.from(record.data).toString('utf8');

describe('Spool', () => {
  let dir: string;
  let spool: Spool | undefined;
  let abandoned: Spool[] = [];
  /** Opens the folder again; the earlier instance is left untouched, as after kill -9 (its file handle is closed at the end). */
  const openSpool = async (): Promise<Spool> => {
    if (spool !== undefined) abandoned.push(spool);
    return Spool.open({ dir });
  };
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wattlake-spool-')); });
  afterEach(async () => {
    await spool?.close();
    for (const old of abandoned) await old.close();
    spool = undefined;
    abandoned = [];
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back sealed records in append order, with kind, receive time and bytes intact', async () => {
    spool = await openSpool();
    const records = [ruleOutput(1), { kind: 'refused-oversize' as const, receivedAt: RECEIVED, data: Buffer.alloc(140_000, 0x7b) }, ruleOutput(2)];
    await Promise.all(records.map((r) => spool!.append(r)));
    const sealed = await spool.roll();
    expect(sealed).toMatchObject({ id: 1, records: 3 });
    const read = await spool.read(sealed!.id);
    expect(read.map((r) => r.kind)).toEqual(['rule-output', 'refused-oversize', 'rule-output']);
    expect(read.map((r) => r.receivedAt)).toEqual(records.map((r) => r.receivedAt));
    read.forEach((r, i) => expect(Buffer.from(r.data).equals(Buffer.from(records[i]!.data))).toBe(true));
  });

  it('keeps committed records across a restart and offers them as sealed segments', async () => {
    spool = await openSpool();
    await spool.append(ruleOutput(1));
    await spool.append(ruleOutput(2));
    // Dropped without close(), as after kill -9: only fsynced bytes matter.
    spool = await openSpool();
    expect(spool.sealed).toEqual([expect.objectContaining({ id: 1, records: 2 })]);
    expect((await spool.read(1)).map(text)).toEqual([text(ruleOutput(1)), text(ruleOutput(2))]);
  });

  it('truncates a record torn mid-write on recovery and keeps the records before it', async () => {
    spool = await openSpool();
    for (const seq of [1, 2, 3]) await spool.append(ruleOutput(seq));
    const file = join(dir, '000001.log');
    const fullSize = (await stat(file)).size;
    await truncate(file, fullSize - 20); // the third record lost its last 20 bytes

    spool = await openSpool();
    expect(spool.stats.tornBytesDropped).toBeGreaterThan(0);
    expect((await spool.read(1)).map(text)).toEqual([text(ruleOutput(1)), text(ruleOutput(2))]);
    expect((await stat(file)).size).toBeLessThan(fullSize - 20);
  });

  it('drops garbage appended after the last record on recovery', async () => {
    spool = await openSpool();
    await spool.append(ruleOutput(1));
    await spool.append(ruleOutput(2));
    const file = join(dir, '000001.log');
    const intact = (await stat(file)).size;
    await appendFile(file, Buffer.from([0x2a, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));

    spool = await openSpool();
    expect(spool.stats.tornBytesDropped).toBe(11);
    expect((await spool.read(1)).map(text)).toEqual([text(ruleOutput(1)), text(ruleOutput(2))]);
    expect((await stat(file)).size).toBe(intact);
  });

  it('detects a flipped byte by its checksum and keeps only the records before it', async () => {
    spool = await openSpool();
    for (const seq of [1, 2, 3]) await spool.append(ruleOutput(seq));
    const file = join(dir, '000001.log');
    const bytes = await readFile(file);
    const second = bytes.indexOf('"seq":2');
    bytes[second + 6] = '7'.charCodeAt(0);
    await writeFile(file, bytes);

    spool = await openSpool();
    expect((await spool.read(1)).map(text)).toEqual([text(ruleOutput(1))]);
  });

  it('removes a segment that holds no complete record', async () => {
    spool = await openSpool();
    await spool.close();
    await appendFile(join(dir, '000001.log'), 'WLSPO'); // a header torn right after creation
    spool = await openSpool();
    expect(spool.sealed).toEqual([]);
    expect(await readdir(dir)).toEqual(['000002.log']);
  });

  it('resolves many concurrent appends with a few group commits, not one fsync each', async () => {
    let fsyncs = 0;
    const countingFsync = async (handle: FileHandle): Promise<void> => {
      fsyncs++;
      await handle.datasync();
    };
    spool = await Spool.open({ dir, fsync: countingFsync });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => spool!.append(ruleOutput(i))));
    expect(fsyncs).toBeGreaterThanOrEqual(1);
    expect(fsyncs).toBeLessThanOrEqual(3); // the first append's commit, then everything queued behind it
    expect(spool.stats.fsyncs).toBe(fsyncs);
    const sealed = await spool.roll();
    expect(sealed?.records).toBe(1000);
  });

  it('resolves an append only after the fsync that covers it has finished', async () => {
    let releaseFsync: () => void = () => undefined;
    const heldFsync = (handle: FileHandle): Promise<void> => new Promise((resolve) => {
      releaseFsync = () => void handle.datasync().then(resolve);
    });
    spool = await Spool.open({ dir, fsync: heldFsync });
    let acked = false;
    const append = spool.append(ruleOutput(1)).then(() => { acked = true; });
    await new Promise((r) => setTimeout(r, 50));
    expect(acked).toBe(false);
    releaseFsync();
    await append;
    expect(acked).toBe(true);
  });

  it('refuses every later append once a commit failed, so nothing is acknowledged past a bad tail', async () => {
    let failNext = true;
    const flakyFsync = async (handle: FileHandle): Promise<void> => {
      if (failNext) {
        failNext = false;
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      }
      await handle.datasync();
    };
    spool = await Spool.open({ dir, fsync: flakyFsync });
    await expect(spool.append(ruleOutput(1))).rejects.toThrow(/EIO/);
    await expect(spool.append(ruleOutput(2))).rejects.toThrow(/refusing further appends/);
  });

  it('rolls to a new segment: later appends land in the next file', async () => {
    spool = await openSpool();
    await spool.append(ruleOutput(1));
    const first = await spool.roll();
    await spool.append(ruleOutput(2));
    expect(first?.id).toBe(1);
    expect(spool.sealed.map((s) => s.id)).toEqual([1]);
    expect(spool.activeRecords).toBe(1);
    expect(await spool.roll()).toMatchObject({ id: 2, records: 1 });
    expect(await spool.roll()).toBeNull(); // nothing appended since
  });

  it('releases a delivered segment for good: a restart does not offer it again', async () => {
    spool = await openSpool();
    await spool.append(ruleOutput(1));
    await spool.roll();
    await spool.append(ruleOutput(2));
    await spool.roll();
    await spool.release(1);
    expect(spool.sealed.map((s) => s.id)).toEqual([2]);
    spool = await openSpool();
    expect(spool.sealed.map((s) => s.id)).toEqual([2]);
  });
});
