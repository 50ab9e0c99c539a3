// The twin's own state: CA, device registry, credentials and the broker's server certificate.
// It holds private keys, so it lives in its own folder (`.wattlake/`), never in the lake.
//
//   .wattlake/
//     ca/ca-cert.pem, ca/ca-key.pem        the local CA (the stand-in for AWS IoT's CA)
//     registry.json                        things: device_id -> site, certificate, state
//     devices/<device_id>/cert.pem, key.pem, ca.pem
//     broker/server-cert.pem, server-key.pem
import path from 'node:path';
import { isValidId } from '../../pipeline/schema/ids.ts';

/** Environment variable naming the state folder; `./.wattlake` when unset. */
export const STATE_ENV = 'WATTLAKE_STATE';

export function stateDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env[STATE_ENV] || '.wattlake');
}

export interface StatePaths {
  root: string;
  caDir: string;
  caCert: string;
  caKey: string;
  registry: string;
  serverCert: string;
  serverKey: string;
}

export function statePaths(stateDir: string): StatePaths {
  const root = path.resolve(stateDir);
  const caDir = path.join(root, 'ca');
  return {
    root,
    caDir,
    caCert: path.join(caDir, 'ca-cert.pem'),
    caKey: path.join(caDir, 'ca-key.pem'),
    registry: path.join(root, 'registry.json'),
    serverCert: path.join(root, 'broker', 'server-cert.pem'),
    serverKey: path.join(root, 'broker', 'server-key.pem'),
  };
}

/** The files a device needs to connect, inside `dir`. */
export function credentialFiles(dir: string): { cert: string; key: string; ca: string } {
  return { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), ca: path.join(dir, 'ca.pem') };
}

/** Default credentials folder of a device. Paths are built only from validated IDs. */
export function deviceDir(stateDir: string, deviceId: string): string {
  if (!isValidId(deviceId)) throw new Error(`invalid device_id ${JSON.stringify(deviceId)}`);
  return path.join(path.resolve(stateDir), 'devices', deviceId);
}
