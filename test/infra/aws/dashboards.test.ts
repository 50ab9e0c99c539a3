import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/aws/app.ts';
import { OWNER_ACTIONS } from '../../../infra/aws/dashboards.ts';
import { dateColumn, parameterName } from '../../../infra/aws/quicksight-dashboard.ts';
import { datasetColumns, datasetSql } from '../../../infra/aws/quicksight-datasets.ts';
import { DASHBOARDS, DATASETS } from '../../../pipeline/dashboards/definitions.ts';
import { ROLLUP_TABLE_NAMES } from '../../../pipeline/schema/rollup.ts';
import { FAST, resourcesOf, SKIP_BUNDLING, synthesized } from './synth.ts';

/** Template JSON as parsed; the assertions below check its shape. */
type Json = ReturnType<typeof JSON.parse>;

const PRINCIPAL = 'arn:aws:quicksight:eu-north-1:123456789012:group/default/energy-managers';
const { stack } = buildApp({ ...SKIP_BUNDLING, 'wattlake:quicksightPrincipalArn': PRINCIPAL }, FAST);
const template = Template.fromStack(stack);
const props = (type: string): Record<string, Json>[] => resourcesOf(template, type).map(([, r]) => r.Properties);
const dashboard = props('AWS::QuickSight::Dashboard')[0]!;
const definition = dashboard.Definition;
const sheet = definition.Sheets[0];
const visualKinds: Record<string, string> = { kpi: 'KPIVisual', line: 'LineChartVisual', bar: 'BarChartVisual', heatmap: 'HeatMapVisual', table: 'TableVisual' };

describe('without a QuickSight principal', () => {
  it('creates no QuickSight resource and no QuickSight role', () => {
    const plain = synthesized().template.toJSON().Resources as Record<string, { Type: string }>;
    expect(Object.values(plain).filter((r) => r.Type.startsWith('AWS::QuickSight::'))).toEqual([]);
    expect(synthesized().stack.dashboards).toBeUndefined();
  });
});

describe('QuickSight datasets', () => {
  const dataSets = props('AWS::QuickSight::DataSet');

  it('creates one SPICE dataset per definition, owned by the configured principal', () => {
    expect(dataSets.map((d) => d.Name).sort()).toEqual(DATASETS.map((d) => `wattlake ${d.name}`).sort());
    for (const d of dataSets) {
      expect(d.ImportMode).toBe('SPICE');
      expect(d.Permissions).toEqual([{ Principal: PRINCIPAL, Actions: OWNER_ACTIONS.dataSet }]);
    }
  });

  it('reads each dataset with its windowed named query and the header\'s columns and types', () => {
    for (const dataset of DATASETS) {
      const d = dataSets.find((s) => s.Name === `wattlake ${dataset.name}`)!;
      const [table] = Object.values(d.PhysicalTableMap) as { CustomSql: { SqlQuery: string; Columns: unknown; DataSourceArn: unknown } }[];
      expect(table!.CustomSql.SqlQuery).toBe(datasetSql(dataset));
      expect(table!.CustomSql.Columns).toEqual(datasetColumns(dataset).map((c) => ({ Name: c.name, Type: c.type })));
      expect(JSON.stringify(table!.CustomSql.DataSourceArn)).toContain('DashboardsAthena');
    }
  });

  it('refreshes every dataset in full once a day, after compaction', () => {
    const schedules = props('AWS::QuickSight::RefreshSchedule');
    expect(schedules.map((s) => s.DataSetId).sort()).toEqual(DATASETS.map((d) => `wattlake-dev-${d.name.replace(/_/g, '-')}`).sort());
    for (const s of schedules) expect(s.Schedule).toMatchObject({ RefreshType: 'FULL_REFRESH', ScheduleFrequency: { Interval: 'DAILY', TimeOfTheDay: '03:30', TimeZone: 'UTC' } });
  });
});

describe('QuickSight data source', () => {
  it('queries Athena in the stack\'s workgroup through the dashboards role', () => {
    const [source] = props('AWS::QuickSight::DataSource');
    expect(source!.Type).toBe('ATHENA');
    expect(source!.DataSourceParameters.AthenaParameters.WorkGroup).toBe('wattlake-dev');
    expect(JSON.stringify(source!.DataSourceParameters.AthenaParameters.RoleArn)).toContain('DashboardsAthenaRole');
  });

  it('lets QuickSight\'s role run queries only in that workgroup and read no lake zone beyond the queries\' inputs', () => {
    const role = resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.startsWith('DashboardsAthenaRole'))![1];
    const statements = (role.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
    const athena = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('athena:')));
    expect(JSON.stringify(athena.map((s) => s.Resource))).toMatch(/^\[\{"Fn::Join":.*workgroup\/wattlake-dev"\]\]\}\]$/);
    const puts = statements.filter((s) => [s.Action].flat().includes('s3:PutObject')).map((s) => JSON.stringify(s.Resource));
    expect(puts).toHaveLength(1);
    expect(puts[0]).toContain('/athena-results/*');
  });

  it('lets QuickSight\'s role read the rollup the shared views read (its Glue tables and objects), and list it', () => {
    const role = resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.startsWith('DashboardsAthenaRole'))![1];
    const statements = (role.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown; Condition?: { StringLike?: Record<string, string[]> } }[] }).Statement;
    const resourcesOfAction = (action: string): string[] => statements.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r)));
    const prefix = (r: string): string => /"\/([^"]*)"/.exec(r)?.[1] ?? r;
    expect(resourcesOfAction('s3:GetObject').map(prefix).sort()).toEqual(['athena-results/*', 'curated/readings/*', 'reference/*', 'rollup/*']);
    const listed = statements.filter((s) => [s.Action].flat().includes('s3:ListBucket')).flatMap((s) => s.Condition?.StringLike?.['s3:prefix'] ?? []);
    expect(listed.sort()).toEqual(['athena-results/*', 'curated/readings/*', 'reference/*', 'rollup/*']);
    const tables = resourcesOfAction('glue:GetTable');
    for (const name of ROLLUP_TABLE_NAMES) expect(tables.some((r) => r.includes(`table/energy_lake/${name}"`)), name).toBe(true);
  });

  it('passes cdk-nag with QuickSight configured', () => {
    const report = new AwsSolutionsChecks().validateScope(stack.node.root);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('QuickSight dashboard', () => {
  const definitionVisuals = DASHBOARDS[0]!.visuals;
  const byId = new Map((sheet.Visuals as Record<string, { VisualId: string }>[]).map((v) => { const [kind, body] = Object.entries(v)[0]!; return [body.VisualId, { kind, body: body as Record<string, Json> }]; }));

  it('has one QuickSight visual of the right kind per definition visual (a secondary KPI number as a second KPI)', () => {
    expect(props('AWS::QuickSight::Dashboard')).toHaveLength(DASHBOARDS.length);
    for (const visual of definitionVisuals) expect(byId.get(visual.id)?.kind, visual.id).toBe(visualKinds[visual.kind]);
    const secondaries = definitionVisuals.filter((v) => v.kind === 'kpi' && v.secondary).map((v) => `${v.id}-secondary`);
    expect([...byId.keys()].sort()).toEqual([...definitionVisuals.map((v) => v.id), ...secondaries].sort());
  });

  it('aggregates each measure as defined, from the visual\'s dataset', () => {
    const measures = (node: unknown): { column: string; aggregate: string; dataset: string }[] => {
      if (!node || typeof node !== 'object') return [];
      const found = (node as Record<string, Json>).NumericalMeasureField;
      const own = found ? [{ column: found.Column.ColumnName, aggregate: found.AggregationFunction.SimpleNumericalAggregation, dataset: found.Column.DataSetIdentifier }] : [];
      return [...own, ...Object.values(node).flatMap(measures)];
    };
    const AGG = { sum: 'SUM', max: 'MAX', min: 'MIN', avg: 'AVERAGE' };
    for (const visual of definitionVisuals) {
      const expected = visual.kind === 'kpi' ? [visual.value]
        : visual.kind === 'line' ? [visual.y]
          : visual.kind === 'bar' ? [visual.y, ...(visual.comparison ? [visual.comparison] : [])]
            : visual.kind === 'heatmap' ? [visual.value] : [];
      expect(measures(byId.get(visual.id)!.body), visual.id).toEqual(expected.map((m) => ({ column: m.column, aggregate: AGG[m.aggregate], dataset: visual.dataset })));
    }
  });

  it('declares the site and date-range filters as parameters with controls (month to date by default)', () => {
    const names = (definition.ParameterDeclarations as Record<string, { Name: string }>[]).map((p) => Object.values(p)[0]!.Name);
    expect(names).toEqual(['siteId', 'startDate', 'endDate']);
    expect(parameterName('start_date')).toBe('startDate');
    const start = definition.ParameterDeclarations.find((p: Json) => p.DateTimeParameterDeclaration?.Name === 'startDate');
    expect(start.DateTimeParameterDeclaration.DefaultValues.RollingDate.Expression).toBe("truncDate('MM', now())");
    const controls = (sheet.ParameterControls as Record<string, { SourceParameterName: string }>[]).map((c) => Object.values(c)[0]!.SourceParameterName);
    expect(controls).toEqual(['siteId', 'startDate', 'endDate']);
  });

  it('binds the site filter on every dataset with a site_id and the date range on every dataset with a date column', () => {
    const groups = definition.FilterGroups as { FilterGroupId: string; Filters: Record<string, Json>[]; ScopeConfiguration: Json }[];
    const datasets = [...new Set(definitionVisuals.map((v) => v.dataset))];
    const site = groups.filter((g) => g.FilterGroupId.startsWith('site-'));
    expect(site.map((g) => g.FilterGroupId).sort()).toEqual(datasets.map((d) => `site-${d}`).sort());
    for (const g of site) expect(g.Filters[0]!.CategoryFilter.Configuration.CustomFilterConfiguration).toMatchObject({ ParameterName: 'siteId', MatchOperator: 'EQUALS' });
    const dated = datasets.filter((d) => dateColumn(d));
    expect(dated).not.toContain('weekday_hour_load');
    const range = groups.filter((g) => g.FilterGroupId.startsWith('date_range-'));
    expect(range.map((g) => g.FilterGroupId).sort()).toEqual(dated.map((d) => `date_range-${d}`).sort());
    for (const g of range) {
      const dataset = g.FilterGroupId.slice('date_range-'.length);
      expect(g.Filters[0]!.TimeRangeFilter).toMatchObject({ Column: { ColumnName: dateColumn(dataset)!.name }, RangeMinimumValue: { Parameter: 'startDate' }, RangeMaximumValue: { Parameter: 'endDate' } });
      const scoped = g.ScopeConfiguration.SelectedSheets.SheetVisualScopingConfigurations[0].VisualIds as string[];
      expect(scoped.sort()).toEqual([...byId.keys()].filter((id) => definitionVisuals.find((v) => id.startsWith(v.id) && v.dataset === dataset)).sort());
    }
  });

  it('is owned by the configured principal', () => {
    expect(dashboard.Permissions).toEqual([{ Principal: PRINCIPAL, Actions: OWNER_ACTIONS.dashboard }]);
  });
});
