// The `.wattlake/` layout: where state lives, and device folders built only from valid IDs.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { deviceDir, stateDirFromEnv, statePaths } from '../../../infra/local/state.ts';

describe('stateDirFromEnv', () => {
  it('is ./.wattlake unless WATTLAKE_STATE names another folder', () => {
    expect(stateDirFromEnv({})).toBe(path.resolve('.wattlake'));
    expect(stateDirFromEnv({ WATTLAKE_STATE: '/srv/twin/state' })).toBe('/srv/twin/state');
  });
});

describe('statePaths', () => {
  it('keeps the CA, the registry and the broker certificate inside the state folder', () => {
    expect(statePaths('/srv/state')).toEqual({
      root: '/srv/state',
      caDir: '/srv/state/ca',
      caCert: '/srv/state/ca/ca-cert.pem',
      caKey: '/srv/state/ca/ca-key.pem',
      registry: '/srv/state/registry.json',
      serverCert: '/srv/state/broker/server-cert.pem',
      serverKey: '/srv/state/broker/server-key.pem',
    });
  });
});

describe('deviceDir', () => {
  it('is devices/<device_id> inside the state folder', () => {
    expect(deviceDir('/srv/state', 'meter-0001')).toBe('/srv/state/devices/meter-0001');
  });

  it.each(['..', '../meter-0001', 'a/b', '.hidden'])('refuses %s, which is not a device id', (id) => {
    expect(() => deviceDir('/srv/state', id)).toThrow(`invalid device_id ${JSON.stringify(id)}`);
  });
});
