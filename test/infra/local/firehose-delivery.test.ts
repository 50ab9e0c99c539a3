import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverToLake, textBuffers } from '../../../infra/local/firehose-delivery.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';

/** One partition of `count` JSON lines of about 100 bytes, as the transform returns them (a string per record). */
function partition(dt: string, device: string, count: number): Map<string, string[]> {
  const chunks: string[] = [];
  for (let i = 0; i < count; i++) chunks.push(`${JSON.stringify({ device_id: device, ts: Date.parse(`${dt}T00:00:00Z`) + i * 1000, energy_import_kwh: i / 1000 })}\n`);
  return new Map([[dt, chunks]]);
}

describe('deliverToLake', () => {
  let lake: TestLake;
  beforeAll(async () => {
    lake = await createTestLake();
  });
  afterAll(async () => {
    await lake.dispose();
  });

  const deliver = (byDay: Map<string, string[]>) => deliverToLake({ store: lake.store, stream: 'test', byDay, errorLines: '', nowMs: Date.parse('2026-11-26T08:00:00Z') });

  it('hands over each raw object\'s lines, the same text as the gzip object it wrote', async () => {
    const byDay = partition('2026-11-25', 'meter-a', 20_000); // over 1 MB: a reused buffer
    const delivered = await deliver(byDay);
    try {
      const expected = byDay.get('2026-11-25')!.join('');
      expect(Buffer.from(delivered.lines[0]!).toString('utf8')).toBe(expected);
      expect(gunzipSync(await lake.store.get(delivered.rawKeys[0]!)).toString('utf8')).toBe(expected);
    } finally {
      delivered.release();
    }
  });

  it('never lets a later delivery write over lines not yet released, and reuses them once released', async () => {
    const first = await deliver(partition('2026-11-25', 'meter-a', 20_000));
    const firstText = Buffer.from(first.lines[0]!);
    const second = await deliver(partition('2026-11-25', 'meter-b', 20_000));
    expect(second.lines[0]!.buffer).not.toBe(first.lines[0]!.buffer);
    expect(Buffer.compare(first.lines[0]!, firstText)).toBe(0);
    first.release();
    second.release();
    const kept = textBuffers.keptBytes;
    const third = await deliver(partition('2026-11-25', 'meter-c', 20_000));
    expect(textBuffers.keptBytes).toBeLessThan(kept); // taken from the kept buffers, not made anew
    expect(Buffer.from(third.lines[0]!).toString('utf8')).toContain('"meter-c"');
    expect(Buffer.from(third.lines[0]!).toString('utf8')).not.toContain('"meter-a"');
    third.release();
  });
});
