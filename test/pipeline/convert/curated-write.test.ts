import { describe, expect, it } from 'vitest';
import { FIRST_RECEIVED } from '../../../pipeline/convert/curated-write.ts';
import { sharedViews } from '../../../pipeline/query/catalog.ts';

const windowOf = (sql: string): string | undefined => /row_number\(\)\s+OVER\s*\(([^)]*)\)/i.exec(sql)?.[1]?.replace(/\s+/g, ' ').trim();

describe('FIRST_RECEIVED', () => {
  it('breaks ties exactly as the readings_unique view, so files and the view keep the same copy', () => {
    const view = sharedViews().find((v) => v.name === 'readings_unique');
    expect(view).toBeDefined();
    expect(windowOf(view!.sql)).toBe('PARTITION BY device_id, ts ORDER BY received_at, energy_import_kwh, site_id');
    expect(windowOf(FIRST_RECEIVED)).toBe(windowOf(view!.sql));
  });
});
