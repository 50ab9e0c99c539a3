// What `wattlake demo` sets up around the twin: a registered fleet with certificates, the
// example reference tables, and the simulated meters' history replayed through MQTT.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { fleetDevices, type FleetDevice } from '../../firmware/simulator/fleet.ts';
import { readReferenceTable, installReferenceTable } from '../../pipeline/reference/install.ts';
import { REFERENCE_TABLE_NAMES } from '../../pipeline/schema/reference.ts';
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';
import { addDevices } from './devices/provision.ts';
import { listThings } from './devices/registry.ts';
import { statePaths } from './state.ts';

/** The example sites (examples/reference/sites.csv): two in Stockholm, one in New York. */
export const DEMO_SITE_TIMEZONES = ['Europe/Stockholm', 'Europe/Stockholm', 'America/New_York'] as const;
const EXAMPLES = fileURLToPath(new URL('../../examples/reference/', import.meta.url));

export function demoFleet(devices: number): FleetDevice[] {
  return fleetDevices({ devices, sites: DEMO_SITE_TIMEZONES.length, timezones: DEMO_SITE_TIMEZONES, tsFormat: 'mixed' });
}

/** Registers the fleet's devices that are not registered yet; returns how many were added. */
export async function provisionFleet(stateDir: string, fleet: FleetDevice[]): Promise<number> {
  const known = new Set((await listThings(statePaths(stateDir).registry)).map((t) => t.device_id));
  const missing = fleet.filter((d) => !known.has(d.deviceId));
  if (missing.length > 0) await addDevices(stateDir, missing.map((d) => ({ deviceId: d.deviceId, siteId: d.siteId })));
  return missing.length;
}

/** Installs each example reference table that the lake does not have yet; returns the installed names. */
export async function installExampleReferences(store: ObjectStore): Promise<string[]> {
  const installed: string[] = [];
  for (const table of REFERENCE_TABLE_NAMES) {
    if (await readReferenceTable(store, table)) continue;
    const result = await installReferenceTable({ store, table, body: await readFile(`${EXAMPLES}${table}.csv`) });
    if (!result.ok) throw new Error(`examples/reference/${table}.csv is invalid: ${JSON.stringify(result.problems[0])}`);
    installed.push(table);
  }
  return installed;
}
