// The local CA: one per state folder, issuing device (clientAuth) and server (serverAuth) certificates.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fingerprint,
  issueDeviceCertificate,
  issueServerCertificate,
  loadOrCreateCa,
  loadOrCreateServerCredentials,
} from '../../../../infra/local/devices/pki.ts';
import { statePaths } from '../../../../infra/local/state.ts';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wattlake-pki-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('loadOrCreateCa', () => {
  it('creates a self-signed CA with its key at 0600 on first use, and loads the same CA afterwards', async () => {
    const paths = statePaths(dir);
    const created = await loadOrCreateCa(paths);
    const cert = new X509Certificate(created.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect((await stat(paths.caKey)).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateCa(paths)).certPem).toBe(created.certPem);
  });

  it('ends with one CA when several callers create it at once', async () => {
    const paths = statePaths(dir);
    const cas = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateCa(paths)));
    const onDisk = await readFile(paths.caCert, 'utf8');
    expect(new Set(cas.map((ca) => ca.certPem))).toEqual(new Set([onDisk]));
  });
});

describe('issueDeviceCertificate', () => {
  it('issues a client certificate for the thing, verifiable against the CA, with a matching private key', async () => {
    const ca = await loadOrCreateCa(statePaths(dir));
    const issued = await issueDeviceCertificate(ca, 'meter-0001');
    const cert = new X509Certificate(issued.certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(cert.subject).toBe('CN=meter-0001');
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
    expect(cert.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
  });

  it('gives every certificate its own key and serial number', async () => {
    const ca = await loadOrCreateCa(statePaths(dir));
    const [a, b] = await Promise.all([issueDeviceCertificate(ca, 'meter-0001'), issueDeviceCertificate(ca, 'meter-0001')]);
    expect(a!.keyPem).not.toBe(b!.keyPem);
    expect(new X509Certificate(a!.certPem).serialNumber).not.toBe(new X509Certificate(b!.certPem).serialNumber);
  });
});

describe('issueServerCertificate', () => {
  it('issues a server certificate for localhost, 127.0.0.1 and ::1', async () => {
    const ca = await loadOrCreateCa(statePaths(dir));
    const cert = new X509Certificate((await issueServerCertificate(ca)).certPem);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.keyUsage).toEqual([SERVER_AUTH]);
  });
});

describe('loadOrCreateServerCredentials', () => {
  it('replaces a stored server certificate that another CA signed', async () => {
    const paths = statePaths(dir);
    const ca = await loadOrCreateCa(paths);
    const otherDir = await mkdtemp(path.join(tmpdir(), 'wattlake-pki-other-'));
    try {
      const stale = await loadOrCreateServerCredentials(paths, await loadOrCreateCa(statePaths(otherDir)));
      const current = await loadOrCreateServerCredentials(paths, ca);
      expect(current.certPem).not.toBe(stale.certPem);
      expect(new X509Certificate(current.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
      expect(await readFile(paths.serverCert, 'utf8')).toBe(current.certPem);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});

describe('fingerprint', () => {
  it("is the SHA-256 of the certificate's DER bytes, the same from PEM or DER", async () => {
    const ca = await loadOrCreateCa(statePaths(dir));
    const { certPem } = await issueDeviceCertificate(ca, 'meter-0001');
    const cert = new X509Certificate(certPem);
    const expected = cert.fingerprint256.replaceAll(':', '').toLowerCase();
    expect(fingerprint(certPem)).toBe(expected);
    expect(fingerprint(cert.raw)).toBe(expected);
  });
});
