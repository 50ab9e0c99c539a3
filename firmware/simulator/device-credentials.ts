// A simulated device's credentials where `wattlake devices add` writes them:
// `<stateDir>/devices/<device_id>/cert.pem`, `key.pem`, `ca.pem`.
import { readFile } from 'node:fs/promises';
import { credentialFiles, deviceDir } from '../../infra/local/state.ts';
import type { DeviceCredentials } from './mqtt-fleet.ts';

export function credentialsFromStateDir(stateDir: string): (deviceId: string) => Promise<DeviceCredentials> {
  return async (deviceId) => {
    const files = credentialFiles(deviceDir(stateDir, deviceId));
    const [cert, key, ca] = await Promise.all([readFile(files.cert), readFile(files.key), readFile(files.ca)]);
    return { cert, key, ca };
  };
}
