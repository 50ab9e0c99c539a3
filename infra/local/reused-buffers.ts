// Large byte buffers kept for reuse between deliveries. Memory a process has just been given
// costs a page fault per 4 KiB the first time it is touched, and on some VMs that is dear: about
// 15 us a page on the bench machine, where encoding a raw object's lines into a fresh buffer cost
// 20-35 times the encoding itself, and where reusing them saved the delivery process 0.15-0.9 us
// per batched reading (docs/benchmarks.md). A buffer taken from here has been touched before.
// Only the caller that took a buffer may use it, and not after giving it back.

const MB = 1024 * 1024;

export interface ReusedBuffersOptions {
  /** Smaller requests get an ordinary buffer, not kept (Node pools small buffers itself). */
  minBytes?: number;
  /** Most bytes kept for reuse in all; a buffer given back beyond that is left to the GC. */
  maxKeptBytes?: number;
}

export class ReusedBuffers {
  private readonly free: Buffer[] = [];
  /** The buffers this pool made, so that `give` never keeps a slice of someone else's memory. */
  private readonly own = new WeakSet<Buffer>();
  private readonly minBytes: number;
  private readonly maxKeptBytes: number;

  constructor({ minBytes = MB, maxKeptBytes = 64 * MB }: ReusedBuffersOptions = {}) {
    this.minBytes = minBytes;
    this.maxKeptBytes = maxKeptBytes;
  }

  /** Bytes held for reuse now. */
  get keptBytes(): number {
    return this.free.reduce((sum, b) => sum + b.byteLength, 0);
  }

  /** A buffer of at least `bytes` bytes, with undefined contents; the smallest kept one that fits, if any. */
  take(bytes: number): Buffer {
    if (bytes < this.minBytes) return Buffer.allocUnsafe(bytes);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = (this.free[i] as Buffer).byteLength;
      if (size >= bytes && (best < 0 || size < (this.free[best] as Buffer).byteLength)) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0] as Buffer;
    // A quarter more than asked for, so that the next, slightly larger object fits too.
    const made = Buffer.allocUnsafeSlow(Math.ceil(bytes * 1.25));
    this.own.add(made);
    return made;
  }

  /** Hands back a buffer from `take`; it is kept while the total kept stays within the limit, largest first. */
  give(buffer: Buffer): void {
    if (!this.own.has(buffer) || this.free.includes(buffer)) return;
    this.free.push(buffer);
    // The largest that fit within the limit stay: each serves any smaller request too.
    this.free.sort((a, b) => b.byteLength - a.byteLength);
    let kept = 0;
    for (let i = 0; i < this.free.length;) {
      const size = (this.free[i] as Buffer).byteLength;
      if (kept + size <= this.maxKeptBytes) {
        kept += size;
        i++;
      } else {
        this.free.splice(i, 1);
      }
    }
  }
}

/**
 * Text encoded as UTF-8 as it comes, into a buffer taken from `pool` that is replaced by one
 * twice as large when full: no string has to be kept until the end (kept strings get copied
 * by every young-generation GC until they are promoted to the old one).
 */
export class GrowingText {
  private buffer: Buffer | null = null;
  private length = 0;

  // Starts small (below the pool's minimum, an ordinary buffer), as a delivery may hold many days.
  constructor(private readonly pool: ReusedBuffers, private readonly initialBytes = 64 * 1024) {}

  /** Bytes written so far. */
  get byteLength(): number {
    return this.length;
  }

  append(text: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so this bound spares counting the bytes first.
    if (this.buffer === null || this.length + 3 * text.length > this.buffer.byteLength) this.reserve(Buffer.byteLength(text, 'utf8'));
    this.length += (this.buffer as Buffer).write(text, this.length, 'utf8');
  }

  /** The text so far; valid until `release()`. */
  bytes(): Uint8Array {
    return this.buffer === null ? new Uint8Array(0) : this.buffer.subarray(0, this.length);
  }

  /** Gives the memory back to the pool; the text is gone. */
  release(): void {
    if (this.buffer !== null) this.pool.give(this.buffer);
    this.buffer = null;
    this.length = 0;
  }

  private reserve(bytes: number): void {
    const capacity = this.buffer?.byteLength ?? 0;
    if (this.length + bytes <= capacity) return;
    const next = this.pool.take(Math.max(this.length + bytes, 2 * capacity, this.initialBytes));
    if (this.buffer !== null) {
      this.buffer.copy(next, 0, 0, this.length);
      this.pool.give(this.buffer);
    }
    this.buffer = next;
  }
}
