// The twin's stand-in for AWS IoT's certificate authority: a local CA that issues one X.509
// certificate per thing (CN = device_id, clientAuth) and the broker's server certificate.
// ECDSA P-256 keys: fast to generate for a fleet, accepted by IoT Core, OpenSSL and Node.
import 'reflect-metadata'; // @peculiar/x509 resolves providers through tsyringe, which needs the Reflect metadata API
import * as x509 from '@peculiar/x509';
import { createHash, createPrivateKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StatePaths } from '../state.ts';
import { writeFileAtomic } from '../../../pipeline/storage/durable-file.ts';
import { DAY_MS } from '../../../pipeline/schema/ids.ts';

x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const CA_DAYS = 20 * 365;
const DEVICE_DAYS = 10 * 365;
const SERVER_DAYS = 365;
/** The server certificate is re-issued on start once it has less than this left. */
const SERVER_RENEW_MS = 30 * DAY_MS;

export interface Credentials {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthority {
  certPem: string;
  cert: x509.X509Certificate;
  signingKey: webcrypto.CryptoKey;
}

/** SHA-256 of a certificate's DER bytes, lowercase hex: how the registry names a certificate. */
export function fingerprint(cert: string | Uint8Array): string {
  const der = typeof cert === 'string' ? new X509Certificate(cert).raw : cert;
  return createHash('sha256').update(der).digest('hex');
}

/** Loads the CA from `paths.caDir`, creating it on first use. Safe when two processes race to create it. */
export async function loadOrCreateCa(paths: StatePaths): Promise<CertificateAuthority> {
  const existing = await loadCa(paths).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing) return existing;

  // Write both files into a fresh folder, then rename it into place: the CA appears whole or not at all,
  // and a loser of a creation race adopts the winner's CA instead of overwriting it.
  await mkdir(paths.root, { recursive: true, mode: 0o700 });
  const temp = await mkdtemp(path.join(paths.root, '.ca-'));
  try {
    const created = await createCa();
    await writeFileAtomic(path.join(temp, path.basename(paths.caKey)), created.keyPem, 0o600);
    await writeFileAtomic(path.join(temp, path.basename(paths.caCert)), created.certPem);
    await rename(temp, paths.caDir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (!['EEXIST', 'ENOTEMPTY'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  return loadCa(paths);
}

async function loadCa(paths: StatePaths): Promise<CertificateAuthority> {
  const [certPem, keyPem] = await Promise.all([readFile(paths.caCert, 'utf8'), readFile(paths.caKey, 'utf8')]);
  return { certPem, cert: new x509.X509Certificate(certPem), signingKey: await importPrivateKey(keyPem) };
}

async function createCa(): Promise<Credentials> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ O: ['wattlake'] }, { CN: ['wattlake local CA'] }],
    ...validity(CA_DAYS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: exportPrivateKey(keys.privateKey) };
}

/** A client certificate for one thing: CN = device_id (the MQTT client id it must use). */
export function issueDeviceCertificate(ca: CertificateAuthority, deviceId: string): Promise<Credentials> {
  return issue(ca, deviceId, DEVICE_DAYS, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]);
}

/** The broker's certificate, valid for loopback connections (localhost, 127.0.0.1, ::1). */
export function issueServerCertificate(ca: CertificateAuthority): Promise<Credentials> {
  return issue(ca, 'localhost', SERVER_DAYS, [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
    ]),
  ]);
}

/** The broker's server credentials from `.wattlake/broker/`, (re-)issued when missing, expiring or not from this CA. */
export async function loadOrCreateServerCredentials(paths: StatePaths, ca: CertificateAuthority): Promise<Credentials> {
  const stored = await Promise.all([readFile(paths.serverCert, 'utf8'), readFile(paths.serverKey, 'utf8')]).catch(() => null);
  if (stored && isUsableServerCertificate(stored[0], stored[1], ca.certPem)) return { certPem: stored[0], keyPem: stored[1] };
  const issued = await issueServerCertificate(ca);
  await writeFileAtomic(paths.serverKey, issued.keyPem, 0o600);
  await writeFileAtomic(paths.serverCert, issued.certPem);
  return issued;
}

function isUsableServerCertificate(certPem: string, keyPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return (
      cert.verify(new X509Certificate(caPem).publicKey) &&
      cert.checkPrivateKey(createPrivateKey(keyPem)) &&
      Date.parse(cert.validTo) - Date.now() > SERVER_RENEW_MS
    );
  } catch {
    return false;
  }
}

async function issue(ca: CertificateAuthority, commonName: string, days: number, extensions: x509.Extension[]): Promise<Credentials> {
  const keys = await generateKeys();
  const caKeyId = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [commonName] }],
    issuer: ca.cert.subject,
    ...validity(days),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ...(caKeyId ? [new x509.AuthorityKeyIdentifierExtension(caKeyId)] : []),
      ...extensions,
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: exportPrivateKey(keys.privateKey) };
}

function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

function exportPrivateKey(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function importPrivateKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

/** A positive 128-bit serial (RFC 5280: at most 20 octets, unpredictable). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** Starts a few minutes back, so a device whose clock is slightly behind still accepts it. */
function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 5 * 60_000), notAfter: new Date(now + days * DAY_MS) };
}
