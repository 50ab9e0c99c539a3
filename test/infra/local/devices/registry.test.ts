// The thing registry file: atomic, serialized read-modify-write; revocation; the broker's lookup.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listThings, readThings, registryReader, revokeThing, updateRegistry, type Thing } from '../../../../infra/local/devices/registry.ts';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wattlake-registry-'));
  file = path.join(dir, 'registry.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const thing = (deviceId: string, siteId = 'site-01'): Thing => ({
  device_id: deviceId,
  site_id: siteId,
  state: 'active',
  certificate_fingerprint: 'c0ffee'.padEnd(64, '0'),
  created_at: '2026-11-21T10:00:00.000Z',
});

const register = (...things: Thing[]) => updateRegistry(file, (all) => things.forEach((t) => all.set(t.device_id, t)));

describe('registry file', () => {
  it('is empty before anything is registered', async () => {
    expect(await listThings(file)).toEqual([]);
  });

  it('stores things as versioned JSON, keyed and sorted by device id', async () => {
    await register(thing('meter-0002'), thing('meter-0001', 'site-07'));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      things: { 'meter-0001': thing('meter-0001', 'site-07'), 'meter-0002': thing('meter-0002') },
    });
    expect((await listThings(file)).map((t) => t.device_id)).toEqual(['meter-0001', 'meter-0002']);
  });

  it('loses no update when many run at once in one process', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => register(thing(`meter-${String(i).padStart(4, '0')}`))));
    expect(await listThings(file)).toHaveLength(25);
  });

  it('leaves the file as it was when a change throws, and keeps serving later updates', async () => {
    await register(thing('meter-0001'));
    const before = await readFile(file, 'utf8');
    await expect(updateRegistry(file, () => { throw new Error('certificate issuance failed'); })).rejects.toThrow('certificate issuance failed');
    expect(await readFile(file, 'utf8')).toBe(before);
    await register(thing('meter-0002'));
    expect(await listThings(file)).toHaveLength(2);
  });

  it('refuses a file that is not a wattlake registry', async () => {
    await writeFile(file, '{"things": []}');
    await expect(readThings(file)).rejects.toThrow('is not a wattlake registry (version 1)');
  });
});

describe('revokeThing', () => {
  it('marks the thing revoked with the time, keeping its site and certificate on record', async () => {
    await register(thing('meter-0001'));
    const revoked = await revokeThing(file, 'meter-0001', new Date('2026-11-22T08:30:00Z'));
    expect(revoked).toEqual({ ...thing('meter-0001'), state: 'revoked', revoked_at: '2026-11-22T08:30:00.000Z' });
    expect(await listThings(file)).toEqual([revoked]);
  });

  it('refuses an unknown device with a clear message', async () => {
    await expect(revokeThing(file, 'meter-0404')).rejects.toThrow('no thing named "meter-0404" in the registry');
  });
});

describe('registryReader', () => {
  it('sees registrations and revocations made after its first lookup', async () => {
    const lookup = registryReader(file);
    expect(await lookup('meter-0001')).toBeUndefined();
    await register(thing('meter-0001'));
    expect((await lookup('meter-0001'))?.state).toBe('active');
    await revokeThing(file, 'meter-0001');
    expect((await lookup('meter-0001'))?.state).toBe('revoked');
  });

  it("finds no thing named after an Object.prototype member", async () => {
    await register(thing('meter-0001'));
    expect(await registryReader(file)('constructor')).toBeUndefined();
  });
});
