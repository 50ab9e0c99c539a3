// The durable buffer's append-only spool: numbered segment files (`000001.log`, …) in one
// folder. An append resolves only once its bytes are fsynced, so whatever the broker
// acknowledged survives kill -9 and power cuts.
//
// Group commit: appends queue in memory while one write+fsync is in flight; when it completes,
// everything queued meanwhile goes out in the next single write and single fsync. Under load
// one fsync serves hundreds of appends; an idle spool still commits a lone append at once.
//
// A segment is sealed by `roll()` and stays on disk until `release()` removes it after
// delivery. Removal is the checkpoint: an unlink is atomic and the folder is fsynced after
// it, so on restart every segment still present is undelivered (or delivered but not yet
// removed, see durable-buffer.ts) and is replayed.
//
// One process at a time: `open()` takes the folder's lock (spool-lock.ts), `close()` drops it.
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { BufferLogger } from './logger.ts';
import { encodeRecord, scanSegment, SEGMENT_MAGIC, type SpoolRecord } from './spool-format.ts';
import { lockSpool, type SpoolLock } from './spool-lock.ts';
import { syncDir, truncateDurably, writeAll } from '../../../pipeline/storage/durable-file.ts';

export interface SegmentInfo {
  id: number;
  bytes: number;
  records: number;
}

export interface SpoolOptions {
  dir: string;
  /** Makes a segment's written bytes durable (default fdatasync); injectable so tests can count group commits. */
  fsync?: (handle: FileHandle) => Promise<void>;
  logger?: BufferLogger;
}

export interface SpoolStats {
  appends: number;
  fsyncs: number;
  /** Bytes dropped from torn tails during recovery. */
  tornBytesDropped: number;
}

interface PendingAppend {
  bytes: Buffer;
  resolve: () => void;
  reject: (error: Error) => void;
}

const SEGMENT_NAME = /^(\d{6,})\.log$/;
const segmentName = (id: number): string => `${String(id).padStart(6, '0')}.log`;

export class Spool {
  readonly stats: SpoolStats = { appends: 0, fsyncs: 0, tornBytesDropped: 0 };
  private readonly sealedSegments: SegmentInfo[];
  private active: SegmentInfo & { handle: FileHandle };
  private queue: PendingAppend[] = [];
  private queuedBytes = 0;
  private committingBytes = 0;
  private committingRecords = 0;
  private rollWaiters: { resolve: (sealed: SegmentInfo | null) => void; reject: (error: Error) => void }[] = [];
  private working: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;

  private constructor(private readonly options: SpoolOptions, private readonly lock: SpoolLock, sealed: SegmentInfo[], active: SegmentInfo & { handle: FileHandle }) {
    this.sealedSegments = sealed;
    this.active = active;
  }

  /**
   * Opens the spool folder: takes its lock (throws SpoolLockedError while another process holds
   * it), truncates torn tails, drops empty segments, and starts a new active segment after the
   * recovered ones.
   */
  static async open(options: SpoolOptions): Promise<Spool> {
    const { dir } = options;
    await mkdir(dir, { recursive: true });
    const lock = await lockSpool(dir);
    try {
      return await Spool.recover(options, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private static async recover(options: SpoolOptions, lock: SpoolLock): Promise<Spool> {
    const { dir, logger } = options;
    const ids = (await readdir(dir)).map((name) => SEGMENT_NAME.exec(name)?.[1]).filter((id) => id !== undefined).map(Number).sort((a, b) => a - b);
    const sealed: SegmentInfo[] = [];
    let tornBytesDropped = 0;
    for (const id of ids) {
      const file = path.join(dir, segmentName(id));
      const contents = await readFile(file);
      const scan = scanSegment(contents);
      if (scan.tail !== null) {
        tornBytesDropped += contents.byteLength - scan.validBytes;
        logger?.warn({ segment: segmentName(id), droppedBytes: contents.byteLength - scan.validBytes, reason: scan.tail, keptRecords: scan.records.length }, 'spool: dropping torn tail of segment');
      }
      if (scan.records.length === 0) {
        await unlink(file);
        continue;
      }
      if (scan.tail !== null) await truncateDurably(file, scan.validBytes);
      sealed.push({ id, bytes: scan.validBytes, records: scan.records.length });
    }
    await syncDir(dir);
    const active = await createSegment(dir, (ids.at(-1) ?? 0) + 1);
    const spool = new Spool(options, lock, sealed, active);
    spool.stats.tornBytesDropped = tornBytesDropped;
    return spool;
  }

  /** Sealed segments not yet released, oldest first. */
  get sealed(): readonly SegmentInfo[] {
    return this.sealedSegments;
  }

  /** Records appended to the active segment, committed or not. */
  get activeRecords(): number {
    return this.active.records + this.committingRecords + this.queue.length;
  }

  /** Bytes appended to the active segment, committed or not: what the size hint compares against. */
  get activeBytes(): number {
    return this.active.bytes + this.committingBytes + this.queuedBytes;
  }

  /** Bytes on disk (or about to be) that have not been delivered: the backpressure measure. */
  get undeliveredBytes(): number {
    return this.sealedSegments.reduce((sum, s) => sum + s.bytes, 0) + this.activeBytes;
  }

  /** Resolves once the record is fsynced; rejects if the spool cannot make it durable. */
  append(record: SpoolRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool is closed'));
    if (this.failure !== null) return Promise.reject(this.failure);
    const bytes = encodeRecord(record);
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes, resolve, reject });
      this.queuedBytes += bytes.byteLength;
      this.stats.appends++;
      this.kick();
    });
  }

  /** Seals the active segment once everything appended so far is committed; null when it holds no records. */
  roll(): Promise<SegmentInfo | null> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.rollWaiters.push({ resolve, reject });
      this.kick();
    });
  }

  /** The file of a sealed segment (what a delivery reads). */
  segmentFile(id: number): string {
    return path.join(this.options.dir, segmentName(id));
  }

  /** The intact records of a sealed segment, in append order. */
  read(id: number): Promise<SpoolRecord[]> {
    return readSegmentFile(this.segmentFile(id), this.options.logger);
  }

  /** Removes a delivered segment (the checkpoint, see the header comment). */
  async release(id: number): Promise<void> {
    await unlink(path.join(this.options.dir, segmentName(id)));
    await syncDir(this.options.dir);
    const index = this.sealedSegments.findIndex((s) => s.id === id);
    if (index >= 0) this.sealedSegments.splice(index, 1);
  }

  /** Commits what is queued and closes the active segment (removing it when empty). Sealed segments stay for the next open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.working !== null) await this.working;
    try {
      await this.active.handle.close();
      if (this.active.records === 0) await unlink(path.join(this.options.dir, segmentName(this.active.id))).catch(() => undefined);
    } finally {
      await this.lock.release();
    }
  }

  private kick(): void {
    this.working ??= this.work();
  }

  /** The single committer: one write and one fsync per round, then any requested roll. */
  private async work(): Promise<void> {
    // Start on a later tick, so that `working` is set before the `finally` clears it. The
    // loop's last check and the clearing run in one tick: no append can slip in between.
    await null;
    try {
      while (this.queue.length > 0 || this.rollWaiters.length > 0) {
        if (this.failure !== null) {
          for (const pending of this.queue.splice(0)) pending.reject(this.failure);
          for (const waiter of this.rollWaiters.splice(0)) waiter.reject(this.failure);
          this.queuedBytes = 0;
          return;
        }
        if (this.queue.length > 0) await this.commitQueued();
        if (this.rollWaiters.length > 0 && this.failure === null) await this.sealActive();
      }
    } finally {
      this.working = null;
    }
  }

  private async commitQueued(): Promise<void> {
    const batch = this.queue.splice(0);
    this.committingBytes = this.queuedBytes;
    this.committingRecords = batch.length;
    this.queuedBytes = 0;
    try {
      await writeAll(this.active.handle, Buffer.concat(batch.map((p) => p.bytes), this.committingBytes));
      this.stats.fsyncs++;
      await (this.options.fsync ?? ((handle) => handle.datasync()))(this.active.handle);
      this.active.bytes += this.committingBytes;
      this.active.records += batch.length;
      for (const pending of batch) pending.resolve();
    } catch (error) {
      // After a failed write or fsync the file's tail is unknown (and the kernel may have
      // dropped dirty pages), so appending more would risk acknowledging records that a
      // recovery scan cannot reach. Refuse everything from now on; a restart recovers.
      this.failure = new Error(`spool write failed, refusing further appends until restart: ${(error as Error).message}`, { cause: error });
      this.options.logger?.error({ err: error }, 'spool: write or fsync failed');
      for (const pending of batch) pending.reject(this.failure);
    } finally {
      this.committingBytes = 0;
      this.committingRecords = 0;
    }
  }

  private async sealActive(): Promise<void> {
    const waiters = this.rollWaiters.splice(0);
    if (this.active.records === 0) {
      for (const waiter of waiters) waiter.resolve(null);
      return;
    }
    try {
      const { handle, ...sealed } = this.active;
      await handle.close();
      this.sealedSegments.push(sealed);
      this.active = await createSegment(this.options.dir, sealed.id + 1);
      for (const waiter of waiters) waiter.resolve(sealed);
    } catch (error) {
      this.failure = new Error(`spool could not start a new segment: ${(error as Error).message}`, { cause: error });
      for (const waiter of waiters) waiter.reject(this.failure);
    }
  }
}

/** The intact records of a sealed segment file, in append order; a damaged tail is logged and skipped. */
export async function readSegmentFile(file: string, logger?: BufferLogger): Promise<SpoolRecord[]> {
  const scan = scanSegment(await readFile(file));
  if (scan.tail !== null) logger?.error({ segment: path.basename(file), reason: scan.tail }, 'spool: sealed segment is damaged; delivering its intact records');
  return scan.records;
}

async function createSegment(dir: string, id: number): Promise<SegmentInfo & { handle: FileHandle }> {
  const handle = await open(path.join(dir, segmentName(id)), 'wx');
  try {
    await writeAll(handle, SEGMENT_MAGIC);
    await handle.datasync();
    // The new name must survive a power cut too, or its fsynced records would be unreachable.
    await syncDir(dir);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return { id, bytes: SEGMENT_MAGIC.byteLength, records: 0, handle };
}
