import { describe, expect, it } from 'vitest';
import { ReusedBuffers } from '../../../infra/local/reused-buffers.ts';

const MB = 1024 * 1024;

describe('ReusedBuffers', () => {
  it('hands out a buffer of at least the size asked for', () => {
    const pool = new ReusedBuffers();
    expect(pool.take(3 * MB).byteLength).toBeGreaterThanOrEqual(3 * MB);
  });

  it('reuses the memory of a buffer given back', () => {
    const pool = new ReusedBuffers();
    const first = pool.take(3 * MB);
    first.fill(7);
    pool.give(first);
    const second = pool.take(2 * MB);
    expect(second.buffer).toBe(first.buffer);
    expect(pool.keptBytes).toBe(0);
  });

  it('never hands the same buffer to two takers', () => {
    const pool = new ReusedBuffers();
    const a = pool.take(2 * MB);
    pool.give(a);
    pool.give(a); // given back twice by mistake: still kept once
    const b = pool.take(2 * MB);
    const c = pool.take(2 * MB);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(b.buffer);
  });

  it('picks the smallest kept buffer that fits', () => {
    const pool = new ReusedBuffers();
    const big = pool.take(8 * MB);
    const small = pool.take(2 * MB);
    pool.give(big);
    pool.give(small);
    expect(pool.take(2 * MB).buffer).toBe(small.buffer);
    expect(pool.take(2 * MB).buffer).toBe(big.buffer);
  });

  it('makes a new buffer when no kept one is large enough', () => {
    const pool = new ReusedBuffers();
    const small = pool.take(2 * MB);
    pool.give(small);
    const large = pool.take(5 * MB);
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.byteLength).toBeGreaterThanOrEqual(5 * MB);
  });

  it('keeps no more than its limit, the largest buffers first', () => {
    const pool = new ReusedBuffers({ maxKeptBytes: 12 * MB });
    const buffers = [pool.take(2 * MB), pool.take(4 * MB), pool.take(6 * MB)]; // 2.5, 5 and 7.5 MB made
    for (const b of buffers) pool.give(b);
    expect(pool.keptBytes).toBe(buffers[2]!.byteLength + buffers[0]!.byteLength);
    expect(pool.keptBytes).toBeLessThanOrEqual(12 * MB);
  });

  it('neither pools small requests nor keeps buffers it did not make', () => {
    const pool = new ReusedBuffers({ minBytes: MB });
    pool.give(pool.take(1000));
    pool.give(Buffer.alloc(2 * MB));
    pool.give(pool.take(2 * MB).subarray(0, MB));
    expect(pool.keptBytes).toBe(0);
  });
});
