// Registering things, as `aws iot create-thing` + `create-keys-and-certificate` would: issue a
// certificate from the local CA, write the device's credentials, record thing -> site.
import path from 'node:path';
import { isValidId } from '../../../pipeline/schema/ids.ts';
import { credentialFiles, deviceDir, statePaths } from '../state.ts';
import { writeFileAtomic } from '../../../pipeline/storage/durable-file.ts';
import { fingerprint, issueDeviceCertificate, loadOrCreateCa } from './pki.ts';
import { updateRegistry, type Thing } from './registry.ts';

export interface NewDevice {
  deviceId: string;
  siteId: string;
  /** Where cert.pem, key.pem and ca.pem go; default `<stateDir>/devices/<device_id>/`. */
  outDir?: string;
}

export interface AddedDevice {
  thing: Thing;
  files: { cert: string; key: string; ca: string };
}

/** Throws a message a CLI user can act on when `value` is not a contract ID. */
export function assertValidId(kind: 'device_id' | 'site_id', value: string): void {
  if (!isValidId(value)) {
    throw new Error(`invalid ${kind} ${JSON.stringify(value)}: use 1-64 characters of A-Z a-z 0-9 _ . : - starting with a letter or digit`);
  }
}

export async function addDevice(stateDir: string, device: NewDevice): Promise<AddedDevice> {
  const [added] = await addDevices(stateDir, [device]);
  return added!;
}

/** Registers several things with one registry write (a fleet of 1,000 is one file update, not 1,000). */
export async function addDevices(stateDir: string, devices: NewDevice[], now = new Date()): Promise<AddedDevice[]> {
  const seen = new Set<string>();
  for (const { deviceId, siteId } of devices) {
    assertValidId('device_id', deviceId);
    assertValidId('site_id', siteId);
    if (seen.has(deviceId)) throw new Error(`device ${deviceId} is listed twice`);
    seen.add(deviceId);
  }
  const paths = statePaths(stateDir);
  return updateRegistry(paths.registry, async (things) => {
    for (const { deviceId } of devices) {
      const existing = things.get(deviceId);
      if (existing) throw new Error(`device ${deviceId} is already registered (site ${existing.site_id}, ${existing.state})`);
    }
    const ca = await loadOrCreateCa(paths);
    const added: AddedDevice[] = [];
    for (const { deviceId, siteId, outDir } of devices) {
      const issued = await issueDeviceCertificate(ca, deviceId);
      const files = credentialFiles(outDir === undefined ? deviceDir(stateDir, deviceId) : path.resolve(outDir));
      await writeFileAtomic(files.key, issued.keyPem, 0o600);
      await writeFileAtomic(files.cert, issued.certPem);
      await writeFileAtomic(files.ca, ca.certPem);
      const thing: Thing = {
        device_id: deviceId,
        site_id: siteId,
        state: 'active',
        certificate_fingerprint: fingerprint(issued.certPem),
        created_at: now.toISOString(),
      };
      things.set(deviceId, thing);
      added.push({ thing, files });
    }
    return added;
  });
}
