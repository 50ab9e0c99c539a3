// Lambda shell: IoT fleet provisioning's pre-provisioning hook. A metering box that holds the
// fleet's claim certificate asks for its own thing and certificate; this hook lets it through
// only when the device and site IDs it sends are contract-valid (pipeline/schema/ids.ts), since
// they become the thing name, the topic tree and, downstream, lake keys and partitions.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { isValidId } from '../../../pipeline/schema/ids.ts';

const logger = new Logger({ serviceName: 'wattlake-provision-hook' });

/** The template's parameters a device must send (infra/aws/provisioning.ts). */
export const PROVISIONING_PARAMETERS = { device: 'DeviceId', site: 'SiteId' } as const;

/** What IoT Core sends the hook (payload version 2020-04-01). */
export interface PreProvisioningEvent {
  claimCertificateId: string;
  certificateId: string;
  certificatePem?: string;
  templateArn: string;
  clientId: string;
  parameters: Record<string, unknown>;
}

export interface PreProvisioningResponse {
  allowProvisioning: boolean;
}

/** Why a request is refused, or null when its parameters are valid. */
export function provisioningProblem(parameters: Record<string, unknown> | undefined): string | null {
  for (const [what, name] of Object.entries(PROVISIONING_PARAMETERS)) {
    if (!isValidId(parameters?.[name])) return `${name} (the ${what} id) must be 1-64 characters of [A-Za-z0-9_.:-], starting alphanumeric`;
  }
  return null;
}

export async function handler(event: PreProvisioningEvent, context: Context): Promise<PreProvisioningResponse> {
  logger.addContext(context);
  const problem = provisioningProblem(event?.parameters);
  // IDs only: never the certificate or other parameters.
  const ids = { claimCertificateId: event?.claimCertificateId, clientId: event?.clientId };
  if (problem) logger.warn('provisioning refused', { ...ids, problem });
  else logger.info('provisioning allowed', { ...ids, deviceId: event.parameters[PROVISIONING_PARAMETERS.device], siteId: event.parameters[PROVISIONING_PARAMETERS.site] });
  return { allowProvisioning: problem === null };
}
