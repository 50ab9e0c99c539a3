// Analytics: an Athena (engine v3) workgroup whose settings clients cannot override — results
// encrypted with the lake key under athena-results/, a per-query scan cutoff — and one saved
// (named) query per queries/*.sql, generated from the files, never hand-listed. The shared views
// in queries/views/ are saved as `CREATE OR REPLACE VIEW` statements: CloudFormation has no
// Athena view resource, so `docs/deploy.md` runs them once after deploy (and after they change).
import * as athena from 'aws-cdk-lib/aws-athena';
import { Construct } from 'constructs';
import { loadNamedQueries } from '../../pipeline/query/named-queries.ts';
import { sharedViews } from '../../pipeline/query/catalog.ts';
import { REFERENCE_TABLE_NAMES } from '../../pipeline/schema/reference.ts';
import { DATABASE_NAME, referenceCsvTable, referenceViewSql } from './catalog.ts';
import { ATHENA_RESULTS_PREFIX, type Lake } from './lake.ts';

/** CloudFormation's limit for a named query's description. */
const MAX_DESCRIPTION = 1024;
const clip = (text: string): string => (text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`);

/** The statement that (re)creates one shared view in Athena. */
export const createViewStatement = (view: { name: string; sql: string }): string => `CREATE OR REPLACE VIEW ${view.name} AS\n${view.sql}`;
/** Saved-query name of a view's statement; the number keeps dependency order when listed by name. */
export const viewQueryName = (index: number, name: string): string => `view_${String(index + 1).padStart(2, '0')}_${name}`;
/** The typed reference views (catalog.ts) come first: the shared views join them. */
export const referenceViewQueryName = (name: string): string => `view_00_${name}`;

export interface AnalyticsProps {
  stage: string;
  lake: Lake;
  bytesScannedCutoff: number;
}

export class Analytics extends Construct {
  readonly workGroup: athena.CfnWorkGroup;
  readonly namedQueries: athena.CfnNamedQuery[] = [];
  readonly viewQueries: athena.CfnNamedQuery[] = [];

  constructor(scope: Construct, id: string, { stage, lake, bytesScannedCutoff }: AnalyticsProps) {
    super(scope, id);
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `wattlake-${stage}`,
      description: 'wattlake: named queries over energy_lake',
      state: 'ENABLED',
      // Lets `cdk destroy` remove the workgroup together with its saved queries and history.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: bytesScannedCutoff,
        resultConfiguration: {
          outputLocation: `s3://${lake.bucket.bucketName}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: lake.key.keyArn },
        },
      },
    });

    for (const query of loadNamedQueries()) {
      const saved = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: clip(query.description),
        database: DATABASE_NAME,
        workGroup: this.workGroup.name,
        queryString: query.sql,
      });
      saved.addResourceDependency(this.workGroup);
      this.namedQueries.push(saved);
    }
    for (const name of REFERENCE_TABLE_NAMES) {
      const saved = new athena.CfnNamedQuery(this, `View-${name}`, {
        name: referenceViewQueryName(name),
        description: `Creates or replaces the typed view ${name} over the reference CSV table ${referenceCsvTable(name)}. Run in name order after deploy.`,
        database: DATABASE_NAME,
        workGroup: this.workGroup.name,
        queryString: createViewStatement({ name, sql: referenceViewSql(name) }),
      });
      saved.addResourceDependency(this.workGroup);
      this.viewQueries.push(saved);
    }
    sharedViews().forEach((view, index) => {
      const saved = new athena.CfnNamedQuery(this, `View-${view.name}`, {
        name: viewQueryName(index, view.name),
        description: `Creates or replaces the shared view ${view.name} (queries/views/). Run in name order after deploy.`,
        database: DATABASE_NAME,
        workGroup: this.workGroup.name,
        queryString: createViewStatement(view),
      });
      saved.addResourceDependency(this.workGroup);
      this.viewQueries.push(saved);
    });
  }
}
