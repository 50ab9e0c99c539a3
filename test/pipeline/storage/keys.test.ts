import { describe, expect, it } from 'vitest';
import {
  assertSafeKey,
  curatedReadingsKey,
  errorsKey,
  InvalidKeyError,
  LAKE_PREFIXES,
  partitionDate,
  rawReadingsKey,
  referenceKey,
  rejectedReadingsKey,
} from '../../../pipeline/storage/keys.ts';

const FILE = 'wattlake-readings-1-2026-11-21-10-15-00-4f1c9a2e.gz';

describe('key builders', () => {
  it('build the S3 lake layout from a date and a file name', () => {
    expect(rawReadingsKey('2026-11-21', FILE)).toBe(`raw/readings/dt=2026-11-21/${FILE}`);
    expect(errorsKey('processing-failed-2026-11-21.json')).toBe('errors/readings/processing-failed-2026-11-21.json');
    expect(curatedReadingsKey('2026-11-21', 'part-4f1c9a2e.parquet')).toBe('curated/readings/dt=2026-11-21/part-4f1c9a2e.parquet');
    expect(rejectedReadingsKey('2026-11-21', 'part-4f1c9a2e.parquet')).toBe('curated/rejected_readings/dt=2026-11-21/part-4f1c9a2e.parquet');
  });

  it('put every key under its documented lake prefix', () => {
    expect(rawReadingsKey('2026-11-21', FILE).startsWith(LAKE_PREFIXES.raw)).toBe(true);
    expect(errorsKey(FILE).startsWith(LAKE_PREFIXES.errors)).toBe(true);
    expect(curatedReadingsKey('2026-11-21', FILE).startsWith(LAKE_PREFIXES.curated)).toBe(true);
    expect(rejectedReadingsKey('2026-11-21', FILE).startsWith(LAKE_PREFIXES.rejected)).toBe(true);
  });

  it.each(['2026-02-30', '2025-02-29', '2026-13-01', '2026-11-00', '2026-1-05', '20261121', '2026-11-21T00:00:00Z', ''])(
    'reject the date %j',
    (dt) => {
      expect(() => rawReadingsKey(dt, FILE)).toThrow(InvalidKeyError);
      expect(() => curatedReadingsKey(dt, FILE)).toThrow(InvalidKeyError);
      expect(() => rejectedReadingsKey(dt, FILE)).toThrow(InvalidKeyError);
    },
  );

  // Known gap in keys.ts (reported): a file name is only checked as part of the whole key, so a
  // name with a `/` adds a folder level (still inside the lake). Flip to `it` once fixed.
  it('reject a file name that contains a folder', () => {
    expect(() => rawReadingsKey('2026-11-21', 'dt=2026-11-22/x.gz')).toThrow(InvalidKeyError);
  });

  it('accept a leap day', () => {
    expect(rawReadingsKey('2028-02-29', FILE)).toBe(`raw/readings/dt=2028-02-29/${FILE}`);
  });

  it.each(['', '.', '..', '../x.gz', '.hidden.gz', 'x y.gz', 'x\0.gz', 'mätare.gz', 'x'.repeat(201)])(
    'reject the file name %j',
    (fileName) => {
      expect(() => rawReadingsKey('2026-11-21', fileName)).toThrow(InvalidKeyError);
      expect(() => errorsKey(fileName)).toThrow(InvalidKeyError);
    },
  );
});

describe('assertSafeKey', () => {
  it('accepts a relative key of safe segments', () => {
    expect(() => assertSafeKey(`raw/readings/dt=2026-11-21/${FILE}`)).not.toThrow();
  });

  it.each(['', '/raw/x.gz', 'raw//x.gz', 'raw/x.gz/', 'raw/../x.gz', './x.gz', 'raw\\x.gz', 'C:/x.gz', 'raw/\u00e9.gz'])(
    'rejects %j',
    (key) => {
      expect(() => assertSafeKey(key)).toThrow(InvalidKeyError);
    },
  );

  it('rejects a key longer than 1024 characters', () => {
    const key = Array.from({ length: 6 }, () => 'x'.repeat(199)).join('/');
    expect(key.length).toBeGreaterThan(1024);
    expect(() => assertSafeKey(key)).toThrow(InvalidKeyError);
  });
});

describe('partitionDate', () => {
  it('reads the dt of a partitioned key', () => {
    expect(partitionDate(`raw/readings/dt=2026-11-21/${FILE}`)).toBe('2026-11-21');
    expect(partitionDate('curated/rejected_readings/dt=2026-01-01/part-1.parquet')).toBe('2026-01-01');
  });

  it('reads a dt segment at the start of a key', () => {
    expect(partitionDate('dt=2026-11-21/x.gz')).toBe('2026-11-21');
  });

  it('is null for an unpartitioned key', () => {
    expect(partitionDate(`errors/readings/${FILE}`)).toBeNull();
  });

  it('is null for an impossible date', () => {
    expect(partitionDate('raw/readings/dt=2026-02-30/x.gz')).toBeNull();
  });

  it('is null when dt= is a file name rather than a folder', () => {
    expect(partitionDate('raw/readings/dt=2026-11-21')).toBeNull();
  });

  it('is null when dt= is only the end of a segment name', () => {
    expect(partitionDate('raw/readings/xdt=2026-11-21/x.gz')).toBeNull();
  });
});

describe('referenceKey', () => {
  it('puts each reference table in one CSV object under reference/<table>/', () => {
    expect(referenceKey('sites')).toBe('reference/sites/sites.csv');
    expect(referenceKey('tariffs')).toBe('reference/tariffs/tariffs.csv');
    expect(referenceKey('emission_factors')).toBe('reference/emission_factors/emission_factors.csv');
    expect(referenceKey('sites').startsWith(LAKE_PREFIXES.reference)).toBe(true);
  });

  it.each(['readings', '../sites', 'sites/x', ''])('refuses %j, which is not a reference table', (table) => {
    expect(() => referenceKey(table as 'sites')).toThrow(InvalidKeyError);
  });
});
