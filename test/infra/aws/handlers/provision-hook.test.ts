import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler, type PreProvisioningEvent } from '../../../../infra/aws/handlers/provision-hook.ts';
import { captureOutput, context } from './events.ts';

/** What IoT Core sends the hook when a box registers with the claim certificate. */
const request = (parameters: Record<string, unknown>): PreProvisioningEvent => ({
  claimCertificateId: '5d7f8b6a2e1c4d3b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3',
  certificateId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
  certificatePem: '-----BEGIN CERTIFICATE-----\nMIIC…\n-----END CERTIFICATE-----\n',
  templateArn: 'arn:aws:iot:eu-north-1:123456789012:provisioningtemplate/wattlake-dev-meter',
  clientId: 'provisioning-meter-0042',
  parameters,
});
let output: ReturnType<typeof captureOutput> | undefined;
beforeEach(() => { output = captureOutput(); });
afterEach(() => output?.restore());

describe('pre-provisioning hook', () => {
  it('allows a contract-valid device and site', async () => {
    expect(await handler(request({ DeviceId: 'meter-0042', SiteId: 'site-stockholm-01' }), context('wattlake-dev-provision-hook'))).toEqual({ allowProvisioning: true });
  });

  it('refuses IDs that could not be topics, keys or partitions', async () => {
    for (const parameters of [
      { DeviceId: '../meter', SiteId: 'site-01' },
      { DeviceId: 'meter-0042', SiteId: 'site/01' },
      { DeviceId: 'meter+#', SiteId: 'site-01' },
      { DeviceId: 'x'.repeat(65), SiteId: 'site-01' },
      { DeviceId: 'meter-0042' },
      {},
    ]) {
      expect(await handler(request(parameters), context('wattlake-dev-provision-hook')), JSON.stringify(parameters)).toEqual({ allowProvisioning: false });
    }
  });

  it('logs why it refused without logging the certificate', async () => {
    await handler(request({ DeviceId: 'meter-0042', SiteId: '..' }), context('wattlake-dev-provision-hook'));
    const refused = output!.lines().find((l) => l.message === 'provisioning refused');
    expect(refused?.problem).toMatch(/SiteId/);
    expect(JSON.stringify(output!.lines())).not.toContain('BEGIN CERTIFICATE');
  });
});
