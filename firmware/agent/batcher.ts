// Readings -> batch messages: a batch closes when it holds `maxReadings` or when its oldest
// reading is `maxAgeMs` old, whichever comes first (fewer, larger messages cost less in IoT
// Core, which bills per 5 KB; the age bound keeps the lake fresh). Pure: no timers, no I/O.
import type { AgentReading } from './reading.ts';

export interface BatcherOptions {
  maxReadings: number;
  maxAgeMs: number;
}

export class Batcher {
  private readings: AgentReading[] = [];
  private openedAt: number | null = null;

  constructor(private readonly options: BatcherOptions) {}

  get size(): number {
    return this.readings.length;
  }

  /** When the open batch must be closed by age (epoch ms), or null when it is empty. */
  get dueAt(): number | null {
    return this.openedAt === null ? null : this.openedAt + this.options.maxAgeMs;
  }

  /** Adds a reading sampled at `atMs`; returns the closed batch when it is full. */
  add(reading: AgentReading, atMs: number): AgentReading[] | null {
    if (this.readings.length === 0) this.openedAt = atMs;
    this.readings.push(reading);
    return this.readings.length >= this.options.maxReadings ? this.take() : null;
  }

  /** The open batch if it is due at `nowMs`, else null. */
  takeIfDue(nowMs: number): AgentReading[] | null {
    const due = this.dueAt;
    return due !== null && nowMs >= due ? this.take() : null;
  }

  /** The open batch (on shutdown), or null when empty. */
  take(): AgentReading[] | null {
    if (this.readings.length === 0) return null;
    const batch = this.readings;
    this.readings = [];
    this.openedAt = null;
    return batch;
  }
}

/** The contract's batch payload (docs/contracts.md): `seq` is the message's number in the device's persistent sequence. */
export function batchPayload(deviceId: string, seq: number, readings: readonly AgentReading[]): string {
  return JSON.stringify({ device_id: deviceId, seq, readings });
}
