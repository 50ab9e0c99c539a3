// What the bench process and its load-generator child say to each other over IPC.
import type { LatencySummary } from './latency.ts';

export interface GeneratorConfig {
  /** e.g. `mqtts://127.0.0.1:8883` */
  url: string;
  /** Where `<stateDir>/devices/<id>/{cert,key,ca}.pem` are. */
  stateDir: string;
  devices: { deviceId: string; siteId: string }[];
  connectConcurrency: number;
  /** First reading time of every device (shared, so the parent knows the data's range). */
  firstTs: number;
}

/**
 * `max`: every device publishes `messagesPerDevice` messages as fast as PUBACKs come back,
 * keeping `window` unacknowledged (a closed loop: the system's pace sets the rate).
 * `paced`: `messagesPerSecond` in total, spread evenly over the devices, for `seconds` (an open
 * loop); a device that already has `maxInFlightPerDevice` unacknowledged skips its turn. Latencies
 * count only for publishes after the first `rampSeconds`.
 */
export type LoadSpec =
  | { kind: 'max'; readingsPerMessage: number; messagesPerDevice: number; window: number }
  | { kind: 'paced'; readingsPerMessage: number; messagesPerSecond: number; seconds: number; rampSeconds: number; maxInFlightPerDevice: number };

export interface LoadResult {
  messages: number;
  readings: number;
  /** Publishes that failed (connection lost before PUBACK). */
  failed: number;
  /** Paced turns skipped because the device's window was full. */
  skipped: number;
  /** First publish to last PUBACK. */
  elapsedMs: number;
  /** Publish -> PUBACK (paced runs: after the ramp). */
  latency: LatencySummary;
  /** The generator process's CPU time during the run (user + system). */
  cpuMs: number;
  /** p99 of the generator's event-loop delay: how late it could notice a PUBACK. */
  eventLoopDelayP99Ms: number;
}

// 'prepare' builds a run's messages; 'run' publishes them. Two steps, so that the bench times a
// run from its first publish, not from before the messages were built.
export type ToGenerator = { type: 'connect'; config: GeneratorConfig } | { type: 'prepare'; load: LoadSpec } | { type: 'run' } | { type: 'stop' };
export type FromGenerator =
  | { type: 'connected'; devices: number; connectMs: number }
  | { type: 'prepared' }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string };
