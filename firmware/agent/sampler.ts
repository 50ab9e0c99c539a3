// Sampling on a fixed cadence aligned to the clock: with a 15 s interval the meter is read at
// :00, :15, :30 and :45 of every minute, whenever the agent started, so readings of different
// boxes line up and a restart does not shift the grid. A reading carries its tick's time.
// A read that overruns the next tick makes the sampler skip ticks (counted), never bunch up.

/** The first tick strictly after `nowMs`: the next multiple of `intervalMs`, shifted by `offsetMs`. */
export function nextTick(nowMs: number, intervalMs: number, offsetMs = 0): number {
  return Math.floor((nowMs - offsetMs) / intervalMs) * intervalMs + offsetMs + intervalMs;
}

export interface SamplerOptions {
  intervalMs: number;
  offsetMs?: number;
  /** Called once per tick, never concurrently; the sampler waits for it before scheduling the next. */
  onTick: (tickMs: number) => Promise<void>;
  /** Ticks that passed while `onTick` was still running. */
  onSkipped?: (ticks: number) => void;
  now?: () => number;
}

export interface Sampler {
  stop(): Promise<void>;
}

export function startSampler({ intervalMs, offsetMs = 0, onTick, onSkipped, now = Date.now }: SamplerOptions): Sampler {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const schedule = (after: number): void => {
    if (stopped) return;
    const tick = nextTick(after, intervalMs, offsetMs);
    timer = setTimeout(() => {
      timer = null;
      // Timers may fire a little early on some platforms: never run a tick before its time.
      if (now() < tick) {
        schedule(tick - intervalMs);
        return;
      }
      running = onTick(tick).finally(() => {
        const missed = Math.floor((now() - tick) / intervalMs);
        if (missed > 0) onSkipped?.(missed);
        schedule(Math.max(now(), tick));
      });
    }, Math.max(0, tick - now()));
  };
  schedule(now());

  return {
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
