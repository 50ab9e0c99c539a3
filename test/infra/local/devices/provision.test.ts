// Registering things: credentials on disk (key 0600), certificate from the local CA, thing -> site recorded.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addDevice, addDevices } from '../../../../infra/local/devices/provision.ts';
import { fingerprint } from '../../../../infra/local/devices/pki.ts';
import { listThings } from '../../../../infra/local/devices/registry.ts';
import { statePaths } from '../../../../infra/local/state.ts';

let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'wattlake-provision-'));
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

const exists = (file: string) => access(file).then(() => true, () => false);

describe('addDevice', () => {
  it('writes cert.pem, key.pem (0600) and ca.pem under the state folder by default', async () => {
    const { files } = await addDevice(stateDir, { deviceId: 'meter-0001', siteId: 'site-01' });
    const dir = path.join(stateDir, 'devices', 'meter-0001');
    expect(files).toEqual({ cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), ca: path.join(dir, 'ca.pem') });
    expect((await stat(files.key)).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(await readFile(files.cert));
    expect(cert.subject).toBe('CN=meter-0001');
    expect(cert.verify(new X509Certificate(await readFile(files.ca)).publicKey)).toBe(true);
  });

  it('records the thing with its site and the fingerprint of the certificate it was given', async () => {
    const { files } = await addDevice(stateDir, { deviceId: 'meter-0001', siteId: 'site-01' }, );
    expect(await listThings(statePaths(stateDir).registry)).toEqual([
      { device_id: 'meter-0001', site_id: 'site-01', state: 'active', certificate_fingerprint: fingerprint(await readFile(files.cert, 'utf8')), created_at: expect.any(String) },
    ]);
  });

  it('writes the credentials to the folder the user names', async () => {
    const out = path.join(stateDir, 'elsewhere', 'meter-0001');
    const { files } = await addDevice(stateDir, { deviceId: 'meter-0001', siteId: 'site-01', outDir: out });
    expect(files.key).toBe(path.join(out, 'key.pem'));
    expect((await stat(files.key)).mode & 0o777).toBe(0o600);
    expect(await exists(path.join(stateDir, 'devices', 'meter-0001'))).toBe(false);
  });

  it.each([
    [{ deviceId: '../../etc', siteId: 'site-01' }, 'invalid device_id "../../etc"'],
    [{ deviceId: 'meter 0001', siteId: 'site-01' }, 'invalid device_id "meter 0001"'],
    [{ deviceId: 'meter-0001', siteId: 'site/01' }, 'invalid site_id "site/01"'],
    [{ deviceId: '', siteId: 'site-01' }, 'invalid device_id ""'],
  ])('refuses %o before writing anything', async (device, message) => {
    await expect(addDevice(stateDir, device)).rejects.toThrow(`${message}: use 1-64 characters of A-Z a-z 0-9 _ . : - starting with a letter or digit`);
    expect(await exists(statePaths(stateDir).registry)).toBe(false);
    expect(await exists(path.join(stateDir, 'devices'))).toBe(false);
  });

  it('refuses a device that is already registered, leaving its record and credentials alone', async () => {
    const first = await addDevice(stateDir, { deviceId: 'meter-0001', siteId: 'site-01' });
    const cert = await readFile(first.files.cert, 'utf8');
    await expect(addDevice(stateDir, { deviceId: 'meter-0001', siteId: 'site-02' })).rejects.toThrow(
      'device meter-0001 is already registered (site site-01, active)',
    );
    expect(await readFile(first.files.cert, 'utf8')).toBe(cert);
    expect((await listThings(statePaths(stateDir).registry)).map((t) => t.site_id)).toEqual(['site-01']);
  });
});

describe('addDevices', () => {
  it('registers a fleet from one CA in one go', async () => {
    const added = await addDevices(stateDir, [
      { deviceId: 'meter-0001', siteId: 'site-01' },
      { deviceId: 'meter-0002', siteId: 'site-01' },
      { deviceId: 'meter-0101', siteId: 'site-02' },
    ]);
    const cas = await Promise.all(added.map((d) => readFile(d.files.ca, 'utf8')));
    expect(new Set(cas).size).toBe(1);
    expect((await listThings(statePaths(stateDir).registry)).map((t) => `${t.site_id}/${t.device_id}`)).toEqual([
      'site-01/meter-0001',
      'site-01/meter-0002',
      'site-02/meter-0101',
    ]);
  });

  it('refuses a device listed twice', async () => {
    await expect(
      addDevices(stateDir, [
        { deviceId: 'meter-0001', siteId: 'site-01' },
        { deviceId: 'meter-0001', siteId: 'site-02' },
      ]),
    ).rejects.toThrow('device meter-0001 is listed twice');
  });
});
