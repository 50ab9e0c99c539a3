// The status message on `dt/energy/{site}/{device}/status` (docs/agent.md): published on every
// connect (online), periodically, at once when the queue evicted messages, as the LWT and on a
// clean stop (offline). Pure: the agent passes in its counters.
import type { ClockState } from './clock.ts';

export interface AgentCounters {
  /** Readings taken from the meter. */
  readings: number;
  readErrors: number;
  /** Ticks not sampled: a read overran the next tick, or the clock was not trustworthy. */
  skippedTicks: number;
  lastError: string | null;
}

export interface StatusFacts {
  deviceId: string;
  state: 'online' | 'offline';
  /** Why offline (LWT: connection lost; stop: the signal). */
  reason?: string;
  nowMs: number;
  startedMs: number;
  firmwareVersion: string;
  meter: string;
  queue: { messages: number; readings: number; bytes: number; evictedMessages: number; evictedReadings: number; nextId: number };
  counters: AgentCounters;
  clock: { state: ClockState; reason: string | null };
}

export interface StatusPayload {
  device_id: string;
  state: 'online' | 'offline';
  reason?: string;
  ts: string;
  firmware_version: string;
  uptime_s: number;
  meter: string;
  queue: { messages: number; readings: number; bytes: number };
  /** Lost since the queue was created: evicted oldest-first when it was full. */
  lost: { messages: number; readings: number };
  /** The seq the next message will get. */
  next_seq: number;
  readings_taken: number;
  read_errors: number;
  skipped_ticks: number;
  last_error: string | null;
  clock: { state: ClockState; reason: string | null };
}

export function statusPayload(facts: StatusFacts): StatusPayload {
  const { queue, counters } = facts;
  return {
    device_id: facts.deviceId,
    state: facts.state,
    ...(facts.reason !== undefined && { reason: facts.reason }),
    ts: new Date(facts.nowMs).toISOString(),
    firmware_version: facts.firmwareVersion,
    uptime_s: Math.round((facts.nowMs - facts.startedMs) / 1000),
    meter: facts.meter,
    queue: { messages: queue.messages, readings: queue.readings, bytes: queue.bytes },
    lost: { messages: queue.evictedMessages, readings: queue.evictedReadings },
    next_seq: queue.nextId,
    readings_taken: counters.readings,
    read_errors: counters.readErrors,
    skipped_ticks: counters.skippedTicks,
    last_error: counters.lastError,
    clock: facts.clock,
  };
}
