import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverToLake } from '../../../infra/local/firehose-delivery.ts';
import { createTestLake, type TestLake } from '../../helpers/lake.ts';

/** `count` JSON lines of about 100 bytes for one day, as UTF-8. */
function dayLines(dt: string, device: string, count: number): Buffer {
  let text = '';
  for (let i = 0; i < count; i++) text += `${JSON.stringify({ device_id: device, ts: Date.parse(`${dt}T00:00:00Z`) + i * 1000, energy_import_kwh: i / 1000 })}\n`;
  return Buffer.from(text, 'utf8');
}

describe('deliverToLake', () => {
  let lake: TestLake;
  beforeAll(async () => {
    lake = await createTestLake();
  });
  afterAll(async () => {
    await lake.dispose();
  });

  const nowMs = Date.parse('2026-11-26T08:00:00Z');

  it('writes one gzip raw object per dt, in dt order, under that dt, holding exactly its lines', async () => {
    const byDay = new Map([['2026-11-25', dayLines('2026-11-25', 'meter-a', 2_000)], ['2026-11-24', dayLines('2026-11-24', 'meter-b', 10)]]);
    const { raw, errorKey } = await deliverToLake({ store: lake.store, stream: 'test', byDay, errorLines: '', nowMs });
    expect(raw.map((r) => r.dt)).toEqual(['2026-11-24', '2026-11-25']);
    for (const { dt, key } of raw) {
      expect(key).toMatch(new RegExp(`^raw/readings/dt=${dt}/test-1-2026-11-26-08-00-00-[0-9a-f-]{36}\\.gz$`));
      expect(gunzipSync(await lake.store.get(key)).equals(byDay.get(dt)!)).toBe(true);
    }
    expect(errorKey).toBeNull();
  });

  it('writes the error output as one gzip object when records failed', async () => {
    const errorLines = `${JSON.stringify({ errorCode: 'not_json', rawData: 'bm90IGpzb24K' })}\n`;
    const { raw, errorKey } = await deliverToLake({ store: lake.store, stream: 'test', byDay: new Map(), errorLines, nowMs });
    expect(raw).toEqual([]);
    expect(errorKey).toMatch(/^errors\/readings\/.*processing-failed-test-1-2026-11-26-08-00-00-.*\.jsonl\.gz$/);
    expect(gunzipSync(await lake.store.get(errorKey!)).toString('utf8')).toBe(errorLines);
  });
});
