// Child process of the agent suite: the fleet simulator (firmware/simulator/mqtt-fleet.ts) in
// live mode, every device on its own TLS connection, until SIGTERM. Prints one JSON progress
// line a second on stdout.
//   node --import tsx bench/agent/fleet-process.ts <url> <stateDir> <devices> <sites> <cadenceMs> <batchSize>
import { credentialsFromStateDir } from '../../firmware/simulator/device-credentials.ts';
import { runMqttFleet } from '../../firmware/simulator/mqtt-fleet.ts';

const [url, stateDir, devices, sites, cadenceMs, batchSize] = process.argv.slice(2);
if (batchSize === undefined || url === undefined || stateDir === undefined) throw new Error('usage: fleet-process.ts <url> <stateDir> <devices> <sites> <cadenceMs> <batchSize>');
const controller = new AbortController();
process.once('SIGTERM', () => controller.abort());
const cadence = Number(cadenceMs);
const summary = await runMqttFleet({
  url, mode: 'live', credentials: credentialsFromStateDir(stateDir), signal: controller.signal,
  devices: Number(devices), sites: Number(sites), start: Math.ceil(Date.now() / cadence) * cadence, cadenceMs: cadence, batchSize: Number(batchSize), seed: 1,
  connectConcurrency: 16, onProgress: (p) => process.stdout.write(`${JSON.stringify(p)}\n`),
});
process.stdout.write(`${JSON.stringify({ summary })}\n`);
