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
