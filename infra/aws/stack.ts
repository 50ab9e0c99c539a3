// The whole pipeline as one stack, composed of one construct per stage (architecture.md).
import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Analytics } from './analytics.ts';
import { Catalog } from './catalog.ts';
import type { WattlakeConfig } from './config.ts';
import { Convert } from './convert.ts';
import { Dashboards } from './dashboards.ts';
import { Devices } from './devices.ts';
import { Ingest } from './ingest.ts';
import { Lake } from './lake.ts';
import { Operations } from './operations.ts';
import { FleetProvisioning } from './provisioning.ts';
import { Reports } from './reports.ts';

export interface WattlakeStackProps extends StackProps {
  config: WattlakeConfig;
}

export class WattlakeStack extends Stack {
  readonly lake: Lake;
  readonly devices: Devices;
  readonly provisioning: FleetProvisioning;
  readonly ingest: Ingest;
  readonly convert: Convert;
  readonly catalog: Catalog;
  readonly analytics: Analytics;
  readonly operations: Operations;
  readonly reports: Reports;
  /** Only with a QuickSight principal configured (`wattlake:quicksightPrincipalArn`). */
  readonly dashboards?: Dashboards;

  constructor(scope: Construct, id: string, { config, ...props }: WattlakeStackProps) {
    super(scope, id, { description: `wattlake ${config.stage}: IoT Core -> Firehose -> S3 Parquet lake -> Athena`, ...props });
    const { stage, logRetentionDays } = config;
    this.lake = new Lake(this, 'Lake', { stage, rawToGlacierDays: config.rawToGlacierDays, athenaResultsExpiryDays: config.athenaResultsExpiryDays });
    this.devices = new Devices(this, 'Devices', { stage });
    this.provisioning = new FleetProvisioning(this, 'Provisioning', { stage, devices: this.devices, logRetentionDays });
    this.ingest = new Ingest(this, 'Ingest', {
      stage, lake: this.lake, bufferSizeMiB: config.bufferSizeMiB, bufferIntervalSeconds: config.bufferIntervalSeconds, logRetentionDays,
    });
    this.convert = new Convert(this, 'Convert', { lake: this.lake, logRetentionDays });
    this.catalog = new Catalog(this, 'Catalog', { lake: this.lake });
    this.analytics = new Analytics(this, 'Analytics', { stage, lake: this.lake, bytesScannedCutoff: config.bytesScannedCutoff });
    this.reports = new Reports(this, 'Reports', { stage, lake: this.lake, catalog: this.catalog, analytics: this.analytics, logRetentionDays });
    this.operations = new Operations(this, 'Operations', {
      stage, ingest: this.ingest, convert: this.convert, bufferIntervalSeconds: config.bufferIntervalSeconds, alertEmail: config.alertEmail,
      functions: { Report: this.reports.fn.fn, ProvisioningHook: this.provisioning.hook.fn },
    });
    if (config.quicksightPrincipalArn) {
      this.dashboards = new Dashboards(this, 'Dashboards', {
        stage, lake: this.lake, catalog: this.catalog, analytics: this.analytics, principalArn: config.quicksightPrincipalArn,
      });
    }
    Tags.of(this).add('project', 'wattlake');
    Tags.of(this).add('stage', stage);
  }
}
