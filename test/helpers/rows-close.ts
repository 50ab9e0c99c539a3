// Comparing query rows with expected rows: numbers within a relative tolerance (sums of doubles
// in another order differ in the last bits), everything else exactly, with vitest's diff.
import { expect } from 'vitest';
import type { PlainRow, PlainValue } from '../../pipeline/query/rows.ts';

export const RELATIVE_TOLERANCE = 1e-9;

export function closeEnough(actual: number, expected: number, tolerance = RELATIVE_TOLERANCE): boolean {
  return Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
}

/** Asserts that `actual` equals `expected` row by row (same order, same columns). */
export function expectRowsClose(actual: readonly PlainRow[], expected: readonly Record<string, PlainValue>[], tolerance = RELATIVE_TOLERANCE): void {
  // Numbers that are close enough are replaced by the expected value, so the diff shows only real differences.
  const normalized = actual.map((row, i) => Object.fromEntries(Object.entries(row).map(([key, value]) => {
    const want = expected[i]?.[key];
    return [key, typeof value === 'number' && typeof want === 'number' && closeEnough(value, want, tolerance) ? want : value];
  })));
  expect(normalized).toEqual(expected);
}
