// The twin's Firehose: the broker hands every accepted publish to `sink`, which appends the
// publishes the IoT rule selects to the spool; the promise, and so the PUBACK, waits for the
// fsync. The rule's SQL is evaluated at delivery, before the transform (IoT Core, too, runs
// rules after the PUBACK). The active segment is sealed when
// it reaches the size hint or its oldest record the interval hint, and sealed segments are
// delivered in the background, oldest first (transform, raw objects per `dt`, converter: for
// the twin in a child process, two segments at a time, see segment-delivery.ts), then
// released. On open, segments left by an earlier run are delivered before new ones.
//
// Delivery is at least once. A crash after a segment's raw and curated objects were written
// but before the segment was released replays it on the next start, so its readings are
// stored twice (under new object names). That is fine: every query reads `readings_unique`,
// which keeps one row per (device_id, ts), exactly as for a QoS 1 redelivery from a device.
//
// Backpressure: while undelivered spool bytes exceed `maxUndeliveredMb`, the sink holds new
// publishes before spooling them. Their PUBACKs wait, each device's QoS 1 in-flight window
// fills, and devices stop sending until delivery catches up. Memory stays bounded by
// devices × in-flight window × payload size (for devices that keep to a window: MQTT 3.1.1 has
// no receive maximum a broker could enforce), and disk by the bound plus one segment.
import path from 'node:path';
import { readingsRule } from '../../../pipeline/rule/readings-rule.ts';
import { LIMITS } from '../../../pipeline/schema/readings.ts';
import type { AcceptedPublish, PublishSink } from '../broker/types.ts';
import { addCounts, emptyFirehoseStats, type FirehoseStats } from '../local-firehose.ts';
import { silentLogger, type BufferLogger } from './logger.ts';
import { inProcessDelivery, type InProcessDeliveryOptions, type SegmentDelivery } from './segment-delivery.ts';
import type { SpoolRecord } from './spool-format.ts';
import { Spool, type SegmentInfo, type SpoolOptions } from './spool.ts';

/** Firehose's buffering hints: deliver when this much is buffered, or when the oldest record is this old. */
export interface BufferHints {
  sizeMb: number;
  intervalSeconds: number;
}

interface BufferingOptions {
  /** The spool lives in `<stateDir>/spool/`. */
  stateDir: string;
  bufferHints: BufferHints;
  logger?: BufferLogger;
  /** Undelivered spool above which publishes wait (default 4 × sizeMb, at least 2 × sizeMb). */
  maxUndeliveredMb?: number;
  /** How long to wait before retrying a segment that not even the error output could take. */
  stuckRetryMs?: number;
  fsync?: SpoolOptions['fsync'];
  now?: () => number;
}

/**
 * Where deliveries run: a SegmentDelivery the buffer takes over (and closes), e.g. the twin's
 * delivery process; or, in this thread, the store and DuckDB to deliver into.
 */
export type DurableBufferOptions = BufferingOptions & (
  | { delivery: SegmentDelivery }
  | Omit<InProcessDeliveryOptions, 'logger' | 'now'>
);

export interface DurableBufferStats extends FirehoseStats {
  /** Publishes the sink received. */
  messages: number;
  /** Publishes on topics the rule does not select: acknowledged, not spooled (IoT Core drops them too). */
  unrouted: number;
  /** Publishes over IoT Core's 128 KiB limit: spooled for the error output. */
  oversize: number;
  /** Records made durable in the spool. */
  spooled: number;
  /** Publishes that had to wait for delivery to make room. */
  backpressureWaits: number;
  bytesBuffered: number;
  segmentsPending: number;
  segmentsDelivered: number;
  /** Segments whose records went to errors/ after every delivery attempt failed. */
  segmentsFailed: number;
  deliveryRetries: number;
  fsyncs: number;
  tornBytesDropped: number;
}

export interface DurableBuffer {
  sink: PublishSink;
  /** Seals what is spooled so far and resolves once all of it is delivered; rejects when delivery is stuck. */
  flush(): Promise<void>;
  /** Stops accepting publishes, flushes and closes the spool. */
  close(): Promise<void>;
  readonly stats: DurableBufferStats;
}

const MB = 1024 * 1024;

interface RoomWaiter { bytes: number; wake: () => void }

export async function openDurableBuffer(options: DurableBufferOptions): Promise<DurableBuffer> {
  const { sizeMb, intervalSeconds } = options.bufferHints;
  // Firehose allows 1-128 MB and 0-900 s; the twin also takes smaller values, which tests use.
  if (!(sizeMb > 0 && sizeMb <= 128)) throw new RangeError(`buffer size hint must be in (0, 128] MB, got ${sizeMb}`);
  if (!(intervalSeconds > 0 && intervalSeconds <= 900)) throw new RangeError(`buffer interval hint must be in (0, 900] s, got ${intervalSeconds}`);
  const logger = options.logger ?? silentLogger;
  const delivery = 'delivery' in options ? options.delivery : inProcessDelivery({ ...options, logger });
  let spool: Spool;
  try {
    spool = await Spool.open({ dir: path.join(options.stateDir, 'spool'), fsync: options.fsync, logger });
  } catch (error) {
    await delivery.close();
    throw error;
  }
  const buffer = new Buffering(spool, delivery, { ...options, logger });
  if (spool.sealed.length > 0) {
    logger.info({ segments: spool.sealed.length, records: spool.sealed.reduce((n, s) => n + s.records, 0) }, 'buffer: replaying undelivered spool');
  }
  buffer.deliverInBackground();
  return {
    sink: (publish) => buffer.accept(publish),
    flush: () => buffer.flush(),
    close: () => buffer.close(),
    get stats() {
      return buffer.snapshot();
    },
  };
}

class Buffering {
  private readonly counters = { messages: 0, unrouted: 0, oversize: 0, spooled: 0, backpressureWaits: 0, segmentsDelivered: 0, segmentsFailed: 0, deliveryRetries: 0 };
  private readonly firehose = emptyFirehoseStats();
  private readonly sizeBytes: number;
  private readonly maxUndeliveredBytes: number;
  private readonly now: () => number;
  private intervalTimer: NodeJS.Timeout | null = null;
  private stuckTimer: NodeJS.Timeout | null = null;
  private rolling: Promise<SegmentInfo | null> | null = null;
  private delivering: Promise<Error | null> | null = null;
  /** Wakes the delivery loop when a segment is sealed while it waits. */
  private newlySealed: (() => void) | null = null;
  private roomWaiters: RoomWaiter[] = [];
  private closed = false;
  /** What the delivery was last told (setBehind). */
  private behind = false;

  constructor(private readonly spool: Spool, private readonly delivery: SegmentDelivery, private readonly options: BufferingOptions & { logger: BufferLogger }) {
    this.sizeBytes = options.bufferHints.sizeMb * MB;
    this.maxUndeliveredBytes = Math.max(2 * this.sizeBytes, (options.maxUndeliveredMb ?? 4 * options.bufferHints.sizeMb) * MB);
    this.now = options.now ?? Date.now;
  }

  async accept({ topic, payload, receivedAt, clientId }: AcceptedPublish): Promise<void> {
    if (this.closed) throw new Error('durable buffer is closed');
    this.counters.messages++;
    let record: SpoolRecord;
    // IoT Core refuses payloads over its limit before any rule runs; Firehose never sees them,
    // but the twin keeps them (durably, like everything it acknowledged) for the error output.
    if (payload.byteLength > LIMITS.maxPayloadBytes) {
      this.counters.oversize++;
      record = { kind: 'refused-oversize', receivedAt, data: payload };
    } else if (!readingsRule.matches(topic)) {
      this.counters.unrouted++;
      return;
    } else {
      // The rule itself runs at delivery, in the delivery process, as IoT Core runs rules after
      // the PUBACK: parsing every payload here cost the broker's event loop 5-20 % of its CPU
      // per message in A/B runs (docs/benchmarks.md).
      record = { kind: 'publish', receivedAt, topic, clientId, data: payload };
    }
    // No await unless there is no room: the room check and the append must run in one tick,
    // or a burst of publishes would all pass the check before any of them is counted.
    const wait = this.room(record.data.byteLength);
    if (wait !== undefined) await wait;
    const durable = this.spool.append(record);
    this.applyHints();
    await durable;
    this.counters.spooled++;
  }

  async flush(): Promise<void> {
    // Its own roll request (not a shared one already under way): it seals everything appended before this call.
    const sealed = await this.spool.roll();
    const through = sealed?.id ?? this.spool.sealed.at(-1)?.id;
    if (through === undefined) return;
    while (this.spool.sealed.some((s) => s.id <= through)) {
      const error = await this.deliverInBackground();
      if (error !== null) throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    try {
      await this.flush();
    } finally {
      await this.delivering;
      this.clearTimers();
      try {
        await this.delivery.close();
      } finally {
        await this.spool.close();
      }
    }
  }

  snapshot(): DurableBufferStats {
    return {
      ...structuredClone(this.firehose),
      ...this.counters,
      bytesBuffered: this.spool.undeliveredBytes,
      segmentsPending: this.spool.sealed.length,
      fsyncs: this.spool.stats.fsyncs,
      tornBytesDropped: this.spool.stats.tornBytesDropped,
    };
  }

  /** Starts the delivery loop unless it runs (else tells it about new segments); resolves with the error that stopped it, if any. */
  deliverInBackground(): Promise<Error | null> {
    if (this.delivering !== null) this.newlySealed?.();
    this.delivering ??= this.deliverSealed();
    return this.delivering;
  }

  /** Seals the active segment when it reaches the size hint; arms the interval hint for its first record. */
  private applyHints(): void {
    // A failed roll fails the spool, which rejects the appends: nothing to handle here.
    if (this.spool.activeBytes >= this.sizeBytes) void this.roll().catch(() => undefined);
    else this.armInterval();
  }

  private armInterval(): void {
    if (this.intervalTimer !== null || this.closed) return;
    this.intervalTimer = setTimeout(() => {
      this.intervalTimer = null;
      if (this.spool.activeRecords > 0) void this.roll().catch(() => undefined);
    }, this.options.bufferHints.intervalSeconds * 1000);
    this.intervalTimer.unref();
  }

  /** Seals the active segment (one roll at a time) and starts delivering it. */
  private roll(): Promise<SegmentInfo | null> {
    this.rolling ??= this.spool.roll().then((sealed) => {
      this.rolling = null;
      // The interval restarts with the new segment's records (those appended during the roll).
      if (this.intervalTimer !== null) clearTimeout(this.intervalTimer);
      this.intervalTimer = null;
      if (this.spool.activeRecords > 0) this.armInterval();
      if (sealed !== null) void this.deliverInBackground();
      return sealed;
    }, (error: unknown) => {
      this.rolling = null;
      throw error;
    });
    return this.rolling;
  }

  /**
   * Delivers sealed segments, oldest first, until none is left or one cannot be delivered at all.
   * Up to `delivery.concurrency` segments are under way at once (the worker transforms the next
   * segment while DuckDB converts the last); each is released as soon as it is delivered, in
   * whatever order that happens: every segment still on disk is replayed after a crash anyway.
   */
  private async deliverSealed(): Promise<Error | null> {
    // Start on a later tick, so that `delivering` is set before the `finally` clears it. The
    // loop's last check and the clearing run in one tick, so no newly sealed segment is missed.
    await null;
    const limit = Math.max(1, this.delivery.concurrency ?? 1);
    const underWay = new Map<number, Promise<Error | null>>();
    let failure: Error | null = null;
    try {
      for (;;) {
        for (const segment of failure === null ? this.spool.sealed : []) {
          if (underWay.size >= limit) break;
          if (underWay.has(segment.id)) continue;
          underWay.set(segment.id, this.deliverOne(segment).finally(() => underWay.delete(segment.id)));
        }
        // Behind once a segment is sealed before the one before it was delivered: from the
        // second, not only once one waits for a free slot, as a lowered delivery would take a
        // whole segment's time to notice it cannot keep up (docs/benchmarks.md, runs 20-27).
        this.reportPace(this.spool.sealed.length > 1 || this.roomWaiters.length > 0);
        if (underWay.size === 0) return failure;
        // Wake on a finished delivery, or on a segment sealed meanwhile that a free slot can take.
        const sealed = new Promise<null>((resolve) => { this.newlySealed = () => resolve(null); });
        failure ??= await Promise.race([...underWay.values(), sealed]);
        this.newlySealed = null;
      }
    } finally {
      this.delivering = null;
    }
  }

  /** Tells the delivery when it falls behind the spool or catches up again. */
  private reportPace(behind: boolean): void {
    if (behind === this.behind) return;
    this.behind = behind;
    this.delivery.setBehind?.(behind);
  }

  private async deliverOne(segment: SegmentInfo): Promise<Error | null> {
    const { logger } = this.options;
    try {
      const result = await this.delivery.deliver({ id: segment.id, file: this.spool.segmentFile(segment.id) });
      this.counters.deliveryRetries += result.attempts - 1;
      if (result.firehose !== null) {
        this.addFirehoseStats(result.firehose);
        this.counters.segmentsDelivered++;
        logger.info({ segment: segment.id, records: segment.records, accepted: result.firehose.accepted, rawObjects: result.firehose.rawObjects }, 'buffer: delivered segment');
      } else {
        this.counters.segmentsFailed++;
        this.firehose.errorObjects++;
        logger.error({ segment: segment.id, records: segment.records, errorKey: result.errorKey }, 'buffer: delivery kept failing; records moved to the error output');
      }
      await this.spool.release(segment.id);
      return null;
    } catch (error) {
      // Not even the error output took the records: keep the segment and try again later.
      logger.error({ err: error, segment: segment.id }, 'buffer: segment kept in the spool; delivery is stuck');
      if (!this.closed) {
        if (this.stuckTimer !== null) clearTimeout(this.stuckTimer);
        this.stuckTimer = setTimeout(() => void this.deliverInBackground(), this.options.stuckRetryMs ?? 30_000);
        this.stuckTimer.unref();
      }
      return error as Error;
    } finally {
      this.wakeRoomWaiters();
    }
  }

  /** Undefined when there is room for `bytes` now, else a promise that resolves when delivery has made room. */
  private room(bytes: number): Promise<void> | undefined {
    if (this.roomWaiters.length === 0 && this.spool.undeliveredBytes < this.maxUndeliveredBytes) return undefined;
    this.counters.backpressureWaits++;
    // Whatever is still in the active segment must be sealed so delivery can make the room.
    if (this.spool.activeRecords > 0) void this.roll().catch(() => undefined);
    return new Promise((wake) => this.roomWaiters.push({ bytes, wake }));
  }

  /** Lets waiting publishes in, oldest first, as far as the room delivery made allows. */
  private wakeRoomWaiters(): void {
    let room = this.maxUndeliveredBytes - this.spool.undeliveredBytes;
    while (this.roomWaiters.length > 0 && room > 0) {
      const waiter = this.roomWaiters.shift() as RoomWaiter;
      room -= waiter.bytes;
      waiter.wake();
    }
    // Seal what the woken publishes append (they do so before the roll runs), so the next
    // delivery, and with it the next wake-up, does not wait for a buffer hint.
    if (this.roomWaiters.length > 0) void this.roll().catch(() => undefined);
  }

  private addFirehoseStats(from: FirehoseStats): void {
    const into = this.firehose;
    into.records += from.records;
    into.accepted += from.accepted;
    into.droppedRecords += from.droppedRecords;
    into.rawObjects += from.rawObjects;
    into.errorObjects += from.errorObjects;
    into.curatedFiles += from.curatedFiles;
    into.rejectedFiles += from.rejectedFiles;
    into.duplicatesRemoved += from.duplicatesRemoved;
    addCounts(into.rejected, from.rejected);
    addCounts(into.failedRecords, from.failedRecords);
  }

  private clearTimers(): void {
    if (this.intervalTimer !== null) clearTimeout(this.intervalTimer);
    if (this.stuckTimer !== null) clearTimeout(this.stuckTimer);
    this.intervalTimer = null;
    this.stuckTimer = null;
  }
}
