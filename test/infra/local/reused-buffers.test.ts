import { describe, expect, it } from 'vitest';
import { GrowingText, ReusedBuffers } from '../../../infra/local/reused-buffers.ts';

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

describe('GrowingText', () => {
  /** JSON lines of about 100 bytes, some with characters of 2, 3 and 4 UTF-8 bytes. */
  const lines = (device: string, count: number): string[] => Array.from({ length: count }, (_, i) =>
    `${JSON.stringify({ device_id: device, ts: Date.UTC(2026, 10, 26) + i * 60_000, energy_import_kwh: i / 1000, note: i % 7 === 0 ? 'Zürich € 🌡' : 'ok' })}\n`);

  it('holds exactly the UTF-8 of what was appended, across the buffers it grows through', () => {
    const text = new GrowingText(new ReusedBuffers(), 4096);
    const appended = lines('meter-a', 30_000); // about 3 MB: grown from 4 KiB many times
    for (const line of appended) text.append(line);
    expect(Buffer.from(text.bytes()).equals(Buffer.from(appended.join(''), 'utf8'))).toBe(true);
    expect(text.byteLength).toBe(Buffer.byteLength(appended.join(''), 'utf8'));
  });

  it('takes a line longer than twice what it holds in one step', () => {
    const text = new GrowingText(new ReusedBuffers(), 16);
    text.append('short\n');
    const long = `${'€'.repeat(10_000)}\n`;
    text.append(long);
    expect(Buffer.from(text.bytes()).toString('utf8')).toBe(`short\n${long}`);
  });

  it('gives its memory back to the pool on release, where the next text finds it', () => {
    const pool = new ReusedBuffers();
    const first = new GrowingText(pool);
    for (const line of lines('meter-a', 30_000)) first.append(line);
    const firstMemory = first.bytes().buffer;
    first.release();
    expect(first.byteLength).toBe(0);
    expect(pool.keptBytes).toBeGreaterThanOrEqual(3 * MB);
    const second = new GrowingText(pool);
    for (const line of lines('meter-b', 30_000)) second.append(line);
    expect(second.bytes().buffer).toBe(firstMemory);
    expect(Buffer.from(second.bytes()).toString('utf8')).not.toContain('meter-a');
  });

  it('never shares memory between two texts alive at once', () => {
    const pool = new ReusedBuffers();
    const [a, b] = [new GrowingText(pool), new GrowingText(pool)];
    for (let i = 0; i < 3; i++) {
      for (const line of lines('meter-a', 10_000)) a.append(line);
      for (const line of lines('meter-b', 10_000)) b.append(line);
    }
    expect(Buffer.from(a.bytes()).toString('utf8')).not.toContain('meter-b');
    expect(Buffer.from(b.bytes()).toString('utf8')).not.toContain('meter-a');
  });
});
