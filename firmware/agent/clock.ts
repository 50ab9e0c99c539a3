// Is the system clock trustworthy? A metering box often has no battery-backed clock: it boots
// at 1970 or at the time fake-hwclock saved, until NTP syncs. Readings stamped then would land
// on wrong days (or be refused as ts_too_old), so the agent does not sample before `notBefore`
// or when the clock ran backwards past the last reading; it samples, but flags the status
// message, while synchronization is merely unconfirmed.

export type ClockState = 'synchronized' | 'unsynchronized' | 'unverified';

export interface ClockCheck {
  state: ClockState;
  /** Whether readings may be taken now. */
  sample: boolean;
  reason: string | null;
}

export interface ClockFacts {
  nowMs: number;
  notBeforeMs: number;
  /** ts of the last reading taken, if any: time must move forward. */
  lastReadingMs: number | null;
  /** Whether the NTP sync marker exists; null when no marker is configured. */
  syncMarkerPresent: boolean | null;
}

export function checkClock({ nowMs, notBeforeMs, lastReadingMs, syncMarkerPresent }: ClockFacts): ClockCheck {
  if (nowMs < notBeforeMs) {
    return { state: 'unsynchronized', sample: false, reason: `clock ${new Date(nowMs).toISOString()} is before ${new Date(notBeforeMs).toISOString()}` };
  }
  if (lastReadingMs !== null && nowMs < lastReadingMs) {
    return { state: 'unsynchronized', sample: false, reason: `clock ran backwards: ${new Date(nowMs).toISOString()} is before the last reading ${new Date(lastReadingMs).toISOString()}` };
  }
  if (syncMarkerPresent === false) return { state: 'unsynchronized', sample: true, reason: 'NTP synchronization not confirmed (sync marker absent)' };
  return { state: syncMarkerPresent ? 'synchronized' : 'unverified', sample: true, reason: null };
}
