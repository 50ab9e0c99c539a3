// The benchmark's device messages: contract payloads with ISO timestamps, one reading a minute
// per device, so every reading of a run has its own (device_id, ts). Built by string
// concatenation: the load generator should spend its CPU on MQTT and TLS, not on payloads.
import { DAY_MS } from '../../pipeline/schema/ids.ts';

/** One device's message stream; `readings` counts what it has sent so far (its register and clock). */
export interface DeviceStream {
  deviceId: string;
  topic: string;
  seq: number;
  readings: number;
}

const MINUTE_MS = 60_000;

export function deviceStream(deviceId: string, siteId: string): DeviceStream {
  return { deviceId, topic: `dt/energy/${siteId}/${deviceId}/readings`, seq: 0, readings: 0 };
}

/** The first reading's time: 60 days ago on the minute, so a long run never reaches the future (ts_in_future). */
export const firstReadingTs = (now = Date.now()): number => Math.floor(now / MINUTE_MS) * MINUTE_MS - 60 * DAY_MS;

function readingFields(stream: DeviceStream, firstTs: number): string {
  const n = stream.readings++;
  const energy = (1_000_000 + n * 17) / 1000; // 17 Wh a minute, at the meter's 1 Wh resolution
  return `"ts":"${new Date(firstTs + n * MINUTE_MS).toISOString()}","energy_import_kwh":${energy},"power_w":${1000 + (n % 100) * 3.5},"voltage_v":${230 + (n % 7) / 10}`;
}

/**
 * The next message of `stream`: the batch form with `readingsPerMessage` readings, or the single
 * form (the reading's fields at the top level) when it is 1.
 */
export function nextMessage(stream: DeviceStream, readingsPerMessage: number, firstTs: number): Buffer {
  const envelope = `"device_id":"${stream.deviceId}","seq":${stream.seq++}`;
  if (readingsPerMessage === 1) return Buffer.from(`{${envelope},${readingFields(stream, firstTs)}}`);
  const readings: string[] = [];
  for (let i = 0; i < readingsPerMessage; i++) readings.push(`{${readingFields(stream, firstTs)}}`);
  return Buffer.from(`{${envelope},"readings":[${readings.join(',')}]}`);
}
