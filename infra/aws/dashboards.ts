// Dashboards: QuickSight over the stack's Athena workgroup, generated from
// pipeline/dashboards/definitions.ts (the twin's local dashboard reads the same file). One
// data source (Athena, through a role that may only run the named queries' reads), one SPICE
// dataset per definition (custom SQL: the named query over a rolling window, columns typed from
// the query header) refreshed daily after compaction, and one dashboard per definition, all
// owned by the configured QuickSight principal. Nothing is created without a principal.
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { Construct } from 'constructs';
import { DASHBOARDS, DATASETS } from '../../pipeline/dashboards/definitions.ts';
import type { Analytics } from './analytics.ts';
import type { Catalog } from './catalog.ts';
import { COMPACTION_SCHEDULE } from './convert.ts';
import { ATHENA_RESULTS_PREFIX, type Lake } from './lake.ts';
import { acknowledgeLakePrefixes } from './nag.ts';
import { athenaReadGrants, QUERY_READ_PREFIXES } from './query-access.ts';
import { dashboardDefinition } from './quicksight-dashboard.ts';
import { datasetColumns, datasetSql } from './quicksight-datasets.ts';

/** SPICE refresh (UTC): an hour after the daily compaction has rewritten yesterday's partitions. */
export const REFRESH_TIME_UTC = `${String(Number(COMPACTION_SCHEDULE.hour) + 1).padStart(2, '0')}:${COMPACTION_SCHEDULE.minute.padStart(2, '0')}`;

/** What the owner may do with each kind of asset (QuickSight's owner permission sets). */
export const OWNER_ACTIONS = {
  dataSource: ['quicksight:DescribeDataSource', 'quicksight:DescribeDataSourcePermissions', 'quicksight:PassDataSource', 'quicksight:UpdateDataSource', 'quicksight:DeleteDataSource', 'quicksight:UpdateDataSourcePermissions'],
  dataSet: ['quicksight:DescribeDataSet', 'quicksight:DescribeDataSetPermissions', 'quicksight:PassDataSet', 'quicksight:DescribeIngestion', 'quicksight:ListIngestions', 'quicksight:UpdateDataSet', 'quicksight:DeleteDataSet', 'quicksight:CreateIngestion', 'quicksight:CancelIngestion', 'quicksight:UpdateDataSetPermissions'],
  dashboard: ['quicksight:DescribeDashboard', 'quicksight:ListDashboardVersions', 'quicksight:UpdateDashboardPermissions', 'quicksight:QueryDashboard', 'quicksight:UpdateDashboard', 'quicksight:DeleteDashboard', 'quicksight:DescribeDashboardPermissions', 'quicksight:UpdateDashboardPublishedVersion'],
};

export interface DashboardsProps {
  stage: string;
  lake: Lake;
  catalog: Catalog;
  analytics: Analytics;
  /** QuickSight user or group ARN that owns everything created here. */
  principalArn: string;
}

export class Dashboards extends Construct {
  readonly role: iam.Role;
  readonly dataSource: quicksight.CfnDataSource;
  readonly dataSets: Record<string, quicksight.CfnDataSet> = {};
  readonly refreshSchedules: Record<string, quicksight.CfnRefreshSchedule> = {};
  readonly dashboards: Record<string, quicksight.CfnDashboard> = {};

  constructor(scope: Construct, id: string, { stage, lake, catalog, analytics, principalArn }: DashboardsProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    const prefix = `wattlake-${stage}`;

    // QuickSight queries Athena as this role (not its account-wide service role), so it reads only the lake's query inputs.
    this.role = new iam.Role(this, 'AthenaRole', {
      assumedBy: new iam.ServicePrincipal('quicksight.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
      description: `wattlake ${stage}: QuickSight runs the dashboard datasets on Athena`,
    });
    for (const statement of athenaReadGrants({ lake, catalog, analytics })) this.role.addToPrincipalPolicy(statement);
    acknowledgeLakePrefixes(this.role, lake.bucket, [...QUERY_READ_PREFIXES, ATHENA_RESULTS_PREFIX].map((p) => `${p}*`),
      'QuickSight reads what the dataset queries scan and writes their Athena results.');

    this.dataSource = new quicksight.CfnDataSource(this, 'Athena', {
      awsAccountId: account,
      dataSourceId: `${prefix}-athena`,
      name: `wattlake ${stage} (Athena ${analytics.workGroup.name})`,
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: analytics.workGroup.name, roleArn: this.role.roleArn } },
      permissions: [{ principal: principalArn, actions: OWNER_ACTIONS.dataSource }],
    });
    this.dataSource.addResourceDependency(analytics.workGroup);
    this.dataSource.node.addDependency(this.role);

    for (const dataset of DATASETS) {
      const dataSetId = `${prefix}-${dataset.name.replace(/_/g, '-')}`;
      const created = new quicksight.CfnDataSet(this, `DataSet-${dataset.name}`, {
        awsAccountId: account,
        dataSetId,
        name: `wattlake ${dataset.name}`,
        importMode: 'SPICE',
        // The first deploy comes before the views exist (docs/deploy.md creates them next), so do not wait for the initial import.
        ingestionWaitPolicy: { waitForSpiceIngestion: false },
        physicalTableMap: {
          [dataset.name.replace(/_/g, '-')]: { customSql: { dataSourceArn: this.dataSource.attrArn, name: dataset.name, sqlQuery: datasetSql(dataset), columns: datasetColumns(dataset) } },
        },
        permissions: [{ principal: principalArn, actions: OWNER_ACTIONS.dataSet }],
      });
      this.dataSets[dataset.name] = created;
      const refresh = new quicksight.CfnRefreshSchedule(this, `Refresh-${dataset.name}`, {
        awsAccountId: account,
        dataSetId,
        schedule: {
          scheduleId: `${dataSetId}-daily`,
          refreshType: 'FULL_REFRESH',
          scheduleFrequency: { interval: 'DAILY', timeOfTheDay: REFRESH_TIME_UTC, timeZone: 'UTC' },
        },
      });
      refresh.addResourceDependency(created);
      this.refreshSchedules[dataset.name] = refresh;
    }

    const arns = Object.fromEntries(Object.entries(this.dataSets).map(([name, d]) => [name, d.attrArn]));
    for (const dashboard of DASHBOARDS) {
      const created = new quicksight.CfnDashboard(this, `Dashboard-${dashboard.id}`, {
        awsAccountId: account,
        dashboardId: `${prefix}-${dashboard.id}`,
        name: dashboard.title,
        definition: dashboardDefinition(dashboard, arns),
        permissions: [{ principal: principalArn, actions: OWNER_ACTIONS.dashboard }],
        dashboardPublishOptions: { adHocFilteringOption: { availabilityStatus: 'ENABLED' }, exportToCsvOption: { availabilityStatus: 'ENABLED' }, sheetControlsOption: { visibilityState: 'EXPANDED' } },
        versionDescription: 'generated from pipeline/dashboards/definitions.ts',
      });
      for (const d of Object.values(this.dataSets)) created.addResourceDependency(d);
      this.dashboards[dashboard.id] = created;
    }
  }
}
