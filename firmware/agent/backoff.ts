// Reconnect delays: exponential backoff with jitter (AWS Architecture Blog, "Exponential Backoff
// And Jitter"). A fleet that lost its broker at the same moment must not come back in lockstep,
// so each delay is drawn from the upper half of the exponential step ("equal jitter"): spread
// out, yet never shorter than half the step, so a flapping broker is not hammered.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** Delay before reconnect attempt `attempt` (0 = the first retry); `random` in [0, 1). */
export function backoffDelay(attempt: number, { initialMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 52));
  return Math.round(step / 2 + random() * (step / 2));
}
