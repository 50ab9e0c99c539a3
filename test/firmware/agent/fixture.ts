// Shared set-up for the agent's end-to-end tests: a registered device in a twin state folder and
// an agent config pointing at a twin broker port with that device's certificate.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentConfig } from '../../../firmware/agent/config.ts';
import { parseAgentConfig } from '../../../firmware/agent/config.ts';
import { addDevice } from '../../../infra/local/devices/provision.ts';
import { credentialFiles, deviceDir } from '../../../infra/local/state.ts';

export const DEVICE = 'meter-0001';
export const SITE = 'site-01';

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `wattlake-agent-${prefix}-`));
}

/** A twin state folder with DEVICE registered at SITE (certificates under devices/). */
export async function stateWithDevice(): Promise<string> {
  const stateDir = await tempDir('state');
  await addDevice(stateDir, { deviceId: DEVICE, siteId: SITE });
  return stateDir;
}

export interface TestConfigOptions {
  stateDir: string;
  queueDir: string;
  port: number;
  intervalMs?: number;
  maxReadings?: number;
  maxAgeMs?: number;
  queue?: { maxBytes: number; segmentBytes: number };
  seed?: number;
}

/** The raw config (as in a config file) of a simulated-meter agent talking MQTT 3.1.1 to a twin broker on loopback. */
export function rawTestConfig({ stateDir, queueDir, port, intervalMs = 200, maxReadings = 5, maxAgeMs = 1000, queue, seed = 11 }: TestConfigOptions): Record<string, unknown> {
  const files = credentialFiles(deviceDir(stateDir, DEVICE));
  return {
    deviceId: DEVICE,
    siteId: SITE,
    meter: { driver: 'simulated', profile: 'household', seed },
    sampling: { intervalMs },
    batch: { maxReadings, maxAgeMs },
    queue: { dir: queueDir, ...queue },
    mqtt: { url: `mqtts://127.0.0.1:${port}`, ca: files.ca, cert: files.cert, key: files.key, protocolVersion: 4, inFlight: 4, backoff: { initialMs: 100, maxMs: 800 } },
    status: { intervalMs: 60_000 },
    clock: { syncMarker: null },
  };
}

export function testConfig(options: TestConfigOptions): AgentConfig {
  return parseAgentConfig(rawTestConfig(options), { baseDir: options.stateDir });
}
