// Accepted publishes as the twin's broker hands them to the durable buffer, built from the
// fleet model, plus a small poll for background work in buffer tests.
import { setTimeout as sleep } from 'node:timers/promises';
import { generateFleetMessages, type FleetOptions } from '../../firmware/simulator/fleet.ts';
import type { AcceptedPublish } from '../../infra/local/broker/types.ts';

/** The broker receives each batch 1.5 s after its last reading. */
export const RECEIVE_DELAY_MS = 1500;

export function fleetPublishes(options: FleetOptions): { publishes: AcceptedPublish[]; readings: number } {
  const publishes: AcceptedPublish[] = [];
  let readings = 0;
  for (const message of generateFleetMessages(options)) {
    publishes.push({
      clientId: message.payload.device_id,
      topic: message.topic,
      payload: Buffer.from(JSON.stringify(message.payload)),
      receivedAt: message.readyAt + RECEIVE_DELAY_MS,
    });
    readings += message.payload.readings.length;
  }
  return { publishes, readings };
}

/** Polls until `condition` holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}
