// `wattlake devices add|list|revoke`, run as a user would: the real CLI in a child process,
// with WATTLAKE_STATE pointing at a temp state folder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileAsync, WATTLAKE_BIN } from '../../../helpers/cli.ts';

let stateDir: string;

async function wattlake(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('node', [WATTLAKE_BIN, ...args], { env: { ...process.env, WATTLAKE_STATE: stateDir } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'wattlake-cli-devices-'));
});
afterAll(() => rm(stateDir, { recursive: true, force: true }));

describe('wattlake devices', () => {
  it('add registers a thing and prints where its cert.pem, key.pem (0600) and ca.pem are', async () => {
    const result = await wattlake('devices', 'add', 'meter-0001', '--site', 'site-01');
    const dir = path.join(stateDir, 'devices', 'meter-0001');
    expect(result).toEqual({
      code: 0,
      stdout: [
        'registered meter-0001 at site site-01',
        `  cert.pem  ${dir}/cert.pem`,
        `  key.pem   ${dir}/key.pem`,
        `  ca.pem    ${dir}/ca.pem`,
        '',
      ].join('\n'),
      stderr: '',
    });
    expect((await stat(path.join(dir, 'key.pem'))).mode & 0o777).toBe(0o600);
    const cert = new X509Certificate(await readFile(path.join(dir, 'cert.pem')));
    expect(cert.subject).toBe('CN=meter-0001');
    expect(cert.verify(new X509Certificate(await readFile(path.join(dir, 'ca.pem'))).publicKey)).toBe(true);
  });

  it('add --out writes the credentials where the user says', async () => {
    const out = path.join(stateDir, 'handover', 'meter-0002');
    const result = await wattlake('devices', 'add', 'meter-0002', '--site', 'site-01', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`  key.pem   ${out}/key.pem`);
    expect((await stat(path.join(out, 'key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('add refuses an invalid device id with a message saying what a valid one is', async () => {
    const result = await wattlake('devices', 'add', '../meter-0003', '--site', 'site-01');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('wattlake: invalid device_id "../meter-0003": use 1-64 characters of A-Z a-z 0-9 _ . : - starting with a letter or digit\n');
  });

  it('add requires --site', async () => {
    const result = await wattlake('devices', 'add', 'meter-0003');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("required option '--site <site_id>' not specified");
  });

  it('revoke marks a thing revoked, and list shows every thing with its site and state', async () => {
    const revoked = await wattlake('devices', 'revoke', 'meter-0002');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked meter-0002 \(site site-01\) at \d{4}-\d{2}-\d{2}T/);
    const listed = await wattlake('devices', 'list');
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trimEnd().split('\n').map((line) => line.split(/\s{2,}/).slice(0, 3));
    expect(rows).toEqual([
      ['DEVICE', 'SITE', 'STATE'],
      ['meter-0001', 'site-01', 'active'],
      ['meter-0002', 'site-01', 'revoked'],
    ]);
  });

  it('revoke refuses a device that is not registered', async () => {
    const result = await wattlake('devices', 'revoke', 'meter-0404');
    expect(result).toMatchObject({ code: 1, stderr: 'wattlake: no thing named "meter-0404" in the registry\n' });
  });

  it('--help says where the state lives', async () => {
    const result = await wattlake('devices', '--help');
    expect(result.stdout).toContain('WATTLAKE_STATE=DIR (default ./.wattlake)');
  });
});
