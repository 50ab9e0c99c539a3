// The agent's store-and-forward queue: a bounded, crash-safe FIFO of batch messages on disk.
//
// - Segment files (`0000000001.seg`, …) of CRC-framed records (format.ts), appended and fsynced
//   before `append` resolves: a message that was acknowledged to disk survives kill -9 and
//   power loss. On open, a torn tail is cut off and a new segment is started.
// - Every message gets the next id of one persistent sequence; the id is the payload's `seq`.
// - Delivery is in id order; `ack(id)` after the PUBACK. The checkpoint (cursor.ts) holds the
//   first undelivered id; it is written before any segment file is deleted, so a crash replays
//   at most what was in flight (at-least-once; the lake deduplicates on (device_id, ts)).
// - Bounded: when an append would pass `maxBytes`, the oldest segment is evicted whole. Its
//   undelivered messages are lost, counted in the checkpoint and reported through `onEvict`
//   (the agent puts the counts on its status topic): never a silent loss.
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { syncDir, truncateDurably, writeAll } from '../../../pipeline/storage/durable-file.ts';
import { readCursor, writeCursor, type Cursor } from './cursor.ts';
import { decodeRecord, encodeRecord, QUEUE_MAGIC, scanSegment } from './format.ts';

export interface DiskQueueOptions {
  dir: string;
  /** Bound on the segment files' total size (one record may pass it while only the active segment is left). */
  maxBytes: number;
  /** A segment is sealed once the next record would take it past this size. */
  segmentBytes: number;
  onEvict?: (loss: { messages: number; readings: number; ids: [number, number] }) => void;
  onRecover?: (info: { segment: string; droppedBytes: number; reason: string; keptRecords: number }) => void;
}

export interface QueueEntry {
  id: number;
  readings: number;
}

export interface QueueStats {
  /** Undelivered messages and their readings. */
  messages: number;
  readings: number;
  /** Bytes of all segment files. */
  bytes: number;
  head: number;
  nextId: number;
  evictedMessages: number;
  evictedReadings: number;
  tornBytesDropped: number;
}

interface Segment {
  n: number;
  file: string;
  bytes: number;
  lastId: number | null;
}

interface Entry extends QueueEntry {
  segment: Segment;
  offset: number;
  bytes: number;
}

const SEGMENT_NAME = /^(\d{10})\.seg$/;
const segmentFile = (dir: string, n: number): string => path.join(dir, `${String(n).padStart(10, '0')}.seg`);

export class DiskQueue {
  private live: Entry[] = [];
  private liveStart = 0;
  private liveReadings = 0;
  private readonly acked = new Set<number>();
  private chain: Promise<unknown> = Promise.resolve();
  private cursorQueued = false;
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(
    private readonly options: DiskQueueOptions,
    private readonly cursor: Cursor,
    private sealed: Segment[],
    private active: Segment & { handle: FileHandle },
    private nextId: number,
    private tornBytesDropped: number,
    entries: Entry[],
  ) {
    this.live = entries;
    this.liveReadings = entries.reduce((n, e) => n + e.readings, 0);
  }

  static async open(options: DiskQueueOptions): Promise<DiskQueue> {
    const { dir } = options;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const cursor = await readCursor(dir);
    const numbers = (await readdir(dir)).map((name) => SEGMENT_NAME.exec(name)?.[1]).filter((n) => n !== undefined).map(Number).sort((a, b) => a - b);
    const sealed: Segment[] = [];
    const entries: Entry[] = [];
    let lastId = -1;
    let tornBytesDropped = 0;
    for (const n of numbers) {
      const file = segmentFile(dir, n);
      const contents = await readFile(file);
      const scan = scanSegment(contents);
      if (scan.tail !== null) {
        tornBytesDropped += contents.byteLength - scan.validBytes;
        options.onRecover?.({ segment: path.basename(file), droppedBytes: contents.byteLength - scan.validBytes, reason: scan.tail, keptRecords: scan.records.length });
        if (scan.records.length > 0) await truncateDurably(file, scan.validBytes);
      }
      const records = scan.records.filter((r) => r.id > lastId);
      lastId = records.at(-1)?.id ?? lastId;
      const segment: Segment = { n, file, bytes: scan.validBytes, lastId: records.at(-1)?.id ?? null };
      const undelivered = records.filter((r) => r.id >= cursor.head);
      if (undelivered.length === 0) {
        await unlink(file); // delivered (or never held an intact record)
        continue;
      }
      sealed.push(segment);
      for (const r of undelivered) entries.push({ id: r.id, readings: r.readings, segment, offset: r.offset, bytes: r.bytes });
    }
    const active = await createSegment(dir, (numbers.at(-1) ?? 0) + 1);
    await syncDir(dir);
    const nextId = Math.max(cursor.head, lastId + 1);
    return new DiskQueue(options, cursor, sealed, active, nextId, tornBytesDropped, entries);
  }

  /**
   * Appends one message; `build(id)` returns its payload for the id it gets (the id is its seq).
   * Resolves with the id once the record is fsynced.
   */
  append(readings: number, build: (id: number) => Uint8Array | string): Promise<number> {
    return this.serial(async () => {
      if (this.closed) throw new Error('queue is closed');
      const id = this.nextId;
      const payload = build(id);
      const record = encodeRecord({ id, readings, payload: typeof payload === 'string' ? Buffer.from(payload) : payload });
      if (this.active.lastId !== null && this.active.bytes + record.byteLength > this.options.segmentBytes) await this.roll();
      while (this.sealed.length > 0 && this.totalBytes() + record.byteLength > this.options.maxBytes) await this.evictOldest();
      const offset = this.active.bytes;
      try {
        await writeAll(this.active.handle, record, offset);
        await this.active.handle.datasync();
      } catch (error) {
        // Leave no half record behind a later, intact one (ENOSPC, EIO).
        await this.active.handle.truncate(offset).catch(() => undefined);
        throw error;
      }
      this.active.bytes += record.byteLength;
      this.active.lastId = id;
      this.nextId = id + 1;
      this.live.push({ id, readings, segment: this.active, offset, bytes: record.byteLength });
      this.liveReadings += readings;
      this.wake();
      return id;
    });
  }

  /** The first undelivered message after `afterId` (ids increase), or null. */
  next(afterId: number): QueueEntry | null {
    for (let i = this.indexAfter(afterId); i < this.live.length; i++) {
      const entry = this.live[i] as Entry;
      if (!this.acked.has(entry.id)) return { id: entry.id, readings: entry.readings };
    }
    return null;
  }

  /** The payload of an undelivered message; null when it was evicted or acknowledged meanwhile. */
  async payload(id: number): Promise<Buffer | null> {
    const entry = this.find(id);
    if (!entry) return null;
    const buffer = Buffer.allocUnsafe(entry.bytes);
    try {
      if (entry.segment === this.active) {
        await this.active.handle.read(buffer, 0, entry.bytes, entry.offset);
      } else {
        const handle = await open(entry.segment.file, 'r');
        try {
          await handle.read(buffer, 0, entry.bytes, entry.offset);
        } finally {
          await handle.close();
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // evicted while we read
      throw error;
    }
    const record = decodeRecord(buffer);
    if (record.id !== id) throw new Error(`queue record at ${entry.segment.file}:${entry.offset} is ${record.id}, expected ${id}`);
    return Buffer.from(record.payload);
  }

  /**
   * Marks a message delivered (its PUBACK arrived). Acks may come out of order; the checkpoint
   * moves over contiguous delivered ids only. Resolves once that checkpoint is on disk.
   */
  ack(id: number): Promise<void> {
    if (id < this.cursor.head || !this.find(id)) return this.chain.then(() => undefined);
    this.acked.add(id);
    let moved = false;
    for (let entry = this.live[this.liveStart]; entry && this.acked.has(entry.id); entry = this.live[this.liveStart]) {
      this.acked.delete(entry.id);
      this.liveReadings -= entry.readings;
      this.liveStart++;
      moved = true;
    }
    if (!moved) return this.chain.then(() => undefined);
    this.cursor.head = this.headId();
    this.compact();
    this.wake();
    if (this.cursorQueued) return this.chain.then(() => undefined);
    this.cursorQueued = true;
    return this.serial(async () => {
      this.cursorQueued = false;
      await writeCursor(this.options.dir, this.cursor);
      await this.dropDelivered();
    });
  }

  /** Resolves at the next append, ack, eviction or close (for a delivery loop that has caught up). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stats(): QueueStats {
    return {
      messages: this.live.length - this.liveStart,
      readings: this.liveReadings,
      bytes: this.totalBytes(),
      head: this.headId(),
      nextId: this.nextId,
      evictedMessages: this.cursor.evictedMessages,
      evictedReadings: this.cursor.evictedReadings,
      tornBytesDropped: this.tornBytesDropped,
    };
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      await writeCursor(this.options.dir, this.cursor);
      await this.active.handle.close();
    });
    this.wake();
  }

  private headId(): number {
    return this.live[this.liveStart]?.id ?? this.nextId;
  }

  /** Index in `live` of the first entry with an id above `afterId` (binary search: ids increase). */
  private indexAfter(afterId: number): number {
    let lo = this.liveStart;
    let hi = this.live.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.live[mid] as Entry).id <= afterId) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private find(id: number): Entry | undefined {
    const entry = this.live[this.indexAfter(id - 1)];
    return entry && entry.id === id && !this.acked.has(id) ? entry : undefined;
  }

  private totalBytes(): number {
    return this.sealed.reduce((n, s) => n + s.bytes, 0) + this.active.bytes;
  }

  /** Runs disk mutations one at a time, in call order; a failure does not block later calls. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private compact(): void {
    if (this.liveStart > 1024 && this.liveStart * 2 > this.live.length) {
      this.live = this.live.slice(this.liveStart);
      this.liveStart = 0;
    }
  }

  private async roll(): Promise<void> {
    await this.active.handle.close();
    // The same object: entries point at their segment by identity.
    this.sealed.push(this.active);
    this.active = await createSegment(this.options.dir, this.active.n + 1);
    await syncDir(this.options.dir);
  }

  /** Drops the oldest sealed segment; its undelivered messages are counted as lost. */
  private async evictOldest(): Promise<void> {
    const segment = this.sealed[0] as Segment;
    let messages = 0;
    let readings = 0;
    let first = -1;
    let last = -1;
    while (this.liveStart < this.live.length && (this.live[this.liveStart] as Entry).segment === segment) {
      const entry = this.live[this.liveStart++] as Entry;
      this.liveReadings -= entry.readings;
      if (this.acked.delete(entry.id)) continue; // delivered out of order: not lost
      if (first < 0) first = entry.id;
      last = entry.id;
      messages++;
      readings += entry.readings;
    }
    this.cursor.head = this.headId();
    this.cursor.evictedMessages += messages;
    this.cursor.evictedReadings += readings;
    await writeCursor(this.options.dir, this.cursor);
    this.sealed.shift();
    await unlink(segment.file);
    await syncDir(this.options.dir);
    this.compact();
    if (messages > 0) this.options.onEvict?.({ messages, readings, ids: [first, last] });
    this.wake();
  }

  /** Deletes sealed segments whose messages are all below the (durable) checkpoint. */
  private async dropDelivered(): Promise<void> {
    let dropped = false;
    while (this.sealed.length > 0 && ((this.sealed[0] as Segment).lastId ?? -1) < this.cursor.head) {
      await unlink((this.sealed.shift() as Segment).file);
      dropped = true;
    }
    if (dropped) await syncDir(this.options.dir);
  }
}

async function createSegment(dir: string, n: number): Promise<Segment & { handle: FileHandle }> {
  const file = segmentFile(dir, n);
  const handle = await open(file, 'wx+', 0o600);
  await writeAll(handle, QUEUE_MAGIC, 0);
  await handle.datasync();
  return { n, file, bytes: QUEUE_MAGIC.byteLength, lastId: null, handle };
}
