import { describe, expect, it } from 'vitest';
import { checkClock } from '../../../firmware/agent/clock.ts';

const NOT_BEFORE = Date.parse('2025-01-01T00:00:00Z');
const NOW = Date.parse('2026-11-24T10:00:00Z');

describe('checkClock', () => {
  it('samples and reports synchronized when the NTP marker exists', () => {
    expect(checkClock({ nowMs: NOW, notBeforeMs: NOT_BEFORE, lastReadingMs: NOW - 15_000, syncMarkerPresent: true })).toEqual({ state: 'synchronized', sample: true, reason: null });
  });

  it('does not sample at boot time 1970 (a box without a battery-backed clock before NTP)', () => {
    const check = checkClock({ nowMs: 12_000, notBeforeMs: NOT_BEFORE, lastReadingMs: null, syncMarkerPresent: false });
    expect(check).toMatchObject({ state: 'unsynchronized', sample: false });
    expect(check.reason).toMatch(/1970-01-01T00:00:12.000Z is before 2025-01-01/);
  });

  it('does not sample when the clock ran backwards past the last reading', () => {
    expect(checkClock({ nowMs: NOW, notBeforeMs: NOT_BEFORE, lastReadingMs: NOW + 3_600_000, syncMarkerPresent: true })).toMatchObject({ state: 'unsynchronized', sample: false });
  });

  it('samples but flags the status while synchronization is not confirmed', () => {
    expect(checkClock({ nowMs: NOW, notBeforeMs: NOT_BEFORE, lastReadingMs: null, syncMarkerPresent: false })).toMatchObject({ state: 'unsynchronized', sample: true });
  });

  it('reports unverified when no marker is configured', () => {
    expect(checkClock({ nowMs: NOW, notBeforeMs: NOT_BEFORE, lastReadingMs: null, syncMarkerPresent: null })).toEqual({ state: 'unverified', sample: true, reason: null });
  });
});
