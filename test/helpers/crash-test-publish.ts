// Numbered publishes for the kill -9 durability test: publish `id` carries one reading whose
// (device_id, ts) is unique to it, with `seq` = id, so the lake says which ids arrived.
import type { AcceptedPublish } from '../../infra/local/broker/types.ts';

const FIRST_TS = Date.parse('2026-11-21T00:00:00Z');
const DEVICES = 4;

export function crashTestPublish(id: number): AcceptedPublish {
  const device = `meter-${String((id % DEVICES) + 1).padStart(4, '0')}`;
  const ts = FIRST_TS + Math.floor(id / DEVICES) * 1000;
  const payload = { device_id: device, seq: id, readings: [{ ts, energy_import_kwh: 1000 + id / 1000, power_w: 1500.5, voltage_v: 231.2 }] };
  return { clientId: device, topic: `dt/energy/site-01/${device}/readings`, payload: Buffer.from(JSON.stringify(payload)), receivedAt: ts + 2000 };
}
