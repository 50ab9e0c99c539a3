// A dashboard definition (pipeline/dashboards/definitions.ts) as a QuickSight dashboard
// `Definition`: one sheet, one QuickSight visual per definition visual, and the filters as
// dashboard parameters (site -> siteId, date_range -> startDate/endDate; QuickSight parameter
// names are alphanumeric) with controls, each bound by a filter to the column of the same
// meaning in every dataset that has one. The twin binds the same filters to query parameters;
// here the datasets are rolling windows in SPICE, so the filters narrow rows instead.
import type * as quicksight from 'aws-cdk-lib/aws-quicksight';
import {
  getDataset, type DashboardDefinition, type DashboardFilter, type Measure, type Visual,
} from '../../pipeline/dashboards/definitions.ts';
import { getNamedQuery, type QueryColumn } from '../../pipeline/query/named-queries.ts';
import { quicksightColumnType } from './quicksight-datasets.ts';

type Def = quicksight.CfnDashboard.DashboardVersionDefinitionProperty;
type MeasureField = quicksight.CfnDashboard.MeasureFieldProperty;
type DimensionField = quicksight.CfnDashboard.DimensionFieldProperty;
type VisualProperty = quicksight.CfnDashboard.VisualProperty;

const SHEET_ID = 'overview';
const AGGREGATE = { sum: 'SUM', max: 'MAX', min: 'MIN', avg: 'AVERAGE' } as const;

/** `start_date` -> `startDate`: QuickSight parameter names are [A-Za-z0-9]+. */
export const parameterName = (queryParam: string): string => queryParam.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function headerColumn(datasetName: string, column: string): QueryColumn {
  const found = getNamedQuery(getDataset(datasetName).query).columns.find((c) => c.name === column);
  if (!found) throw new Error(`dataset ${datasetName} has no column ${column}`);
  return found;
}

/** The column a date_range filter narrows in a dataset: its first date column (day or month), if any. */
export function dateColumn(datasetName: string): { name: string; granularity: 'DAY' | 'MONTH' } | undefined {
  const column = getNamedQuery(getDataset(datasetName).query).columns.find((c) => c.type === 'date');
  return column && { name: column.name, granularity: column.name === 'month' ? 'MONTH' : 'DAY' };
}

const numberFormat = (m: { decimals?: number; unit?: string }): quicksight.CfnDashboard.NumberFormatConfigurationProperty => ({
  formatConfiguration: {
    numberDisplayFormatConfiguration: {
      decimalPlacesConfiguration: { decimalPlaces: m.decimals ?? 0 },
      // `currency` names a column (the tariff's currency), which a static suffix cannot show.
      ...(m.unit && m.unit !== 'currency' ? { suffix: ` ${m.unit}` } : {}),
    },
  },
});

function measure(dataset: string, fieldId: string, m: Measure): MeasureField {
  headerColumn(dataset, m.column);
  return {
    numericalMeasureField: {
      fieldId,
      column: { dataSetIdentifier: dataset, columnName: m.column },
      aggregationFunction: { simpleNumericalAggregation: AGGREGATE[m.aggregate] },
      formatConfiguration: numberFormat(m),
    },
  };
}

function dimension(dataset: string, fieldId: string, column: string): DimensionField {
  const type = quicksightColumnType(headerColumn(dataset, column).type);
  const ref = { fieldId, column: { dataSetIdentifier: dataset, columnName: column } };
  if (type === 'DATETIME') return { dateDimensionField: { ...ref, dateGranularity: column === 'month' ? 'MONTH' : 'DAY' } };
  if (type === 'INTEGER' || type === 'DECIMAL') return { numericalDimensionField: ref };
  return { categoricalDimensionField: ref };
}

const title = (text: string) => ({ visibility: 'VISIBLE', formatText: { plainText: text } });

/** QuickSight visuals of one definition visual (a KPI with a secondary number becomes two KPIs). */
export function quicksightVisuals(visual: Visual): VisualProperty[] {
  const { id, dataset } = visual;
  const field = (name: string): string => `${id}.${name}`;
  switch (visual.kind) {
    case 'kpi': {
      const kpi = (visualId: string, text: string, m: Measure): VisualProperty => ({
        kpiVisual: { visualId, title: title(text), chartConfiguration: { fieldWells: { values: [measure(dataset, `${visualId}.value`, m)] } } },
      });
      return [kpi(id, visual.title, visual.value), ...(visual.secondary ? [kpi(`${id}-secondary`, `${visual.title}: ${visual.secondary.label}`, visual.secondary)] : [])];
    }
    case 'line':
      return [{
        lineChartVisual: {
          visualId: id, title: title(visual.title),
          chartConfiguration: {
            type: 'LINE',
            fieldWells: { lineChartAggregatedFieldWells: {
              category: [dimension(dataset, field(visual.x), visual.x)],
              values: [measure(dataset, field(visual.y.column), visual.y)],
              ...(visual.series ? { colors: [dimension(dataset, field(visual.series), visual.series)] } : {}),
            } },
          },
        },
      }];
    case 'bar': {
      // QuickSight groups bars by colour only for a single value: with a comparison measure the
      // two measures are the groups (summed over the series, which the site filter narrows).
      const values = [measure(dataset, field(visual.y.column), visual.y), ...(visual.comparison ? [measure(dataset, field(visual.comparison.column), visual.comparison)] : [])];
      return [{
        barChartVisual: {
          visualId: id, title: title(visual.title),
          chartConfiguration: {
            orientation: 'VERTICAL', barsArrangement: 'CLUSTERED',
            fieldWells: { barChartAggregatedFieldWells: {
              category: [dimension(dataset, field(visual.x), visual.x)],
              values,
              ...(visual.series && !visual.comparison ? { colors: [dimension(dataset, field(visual.series), visual.series)] } : {}),
            } },
          },
        },
      }];
    }
    case 'heatmap': {
      const rowField = visual.yLabels ? yLabelField(visual) : visual.y;
      return [{
        heatMapVisual: {
          visualId: id, title: title(visual.title),
          chartConfiguration: {
            fieldWells: { heatMapAggregatedFieldWells: {
              rows: [visual.yLabels ? { categoricalDimensionField: { fieldId: field(rowField), column: { dataSetIdentifier: dataset, columnName: rowField } } } : dimension(dataset, field(visual.y), visual.y)],
              columns: [dimension(dataset, field(visual.x), visual.x)],
              values: [measure(dataset, field(visual.value.column), visual.value)],
            } },
            // Labels sort alphabetically; keep the rows in the order of the underlying values.
            ...(visual.yLabels ? { sortConfiguration: { heatMapRowSort: [{ columnSort: { sortBy: { dataSetIdentifier: dataset, columnName: visual.y }, direction: 'ASC', aggregationFunction: { numericalAggregationFunction: { simpleNumericalAggregation: 'MIN' } } } }] } } : {}),
          },
        },
      }];
    }
    case 'table':
      // The query ranks and limits its rows (e.g. top_n), so the table shows them as they are.
      return [{
        tableVisual: {
          visualId: id, title: title(visual.title),
          chartConfiguration: {
            fieldWells: { tableUnaggregatedFieldWells: {
              values: visual.columns.map((c) => {
                const type = quicksightColumnType(headerColumn(dataset, c.column).type);
                const numeric = type === 'DECIMAL' || type === 'INTEGER';
                return {
                  fieldId: field(c.column),
                  column: { dataSetIdentifier: dataset, columnName: c.column },
                  ...(numeric ? { formatConfiguration: { numberFormatConfiguration: numberFormat(c) } } : {}),
                };
              }),
            } },
            fieldOptions: { selectedFieldOptions: visual.columns.map((c) => ({ fieldId: field(c.column), customLabel: c.unit ? `${c.label} (${c.unit})` : c.label })) },
          },
        },
      }];
  }
}

/** The id of a visual built above (every kind has one). */
export const visualIdOf = (visual: VisualProperty): string => (Object.values(visual)[0] as { visualId: string }).visualId;

/** Name of the calculated field that labels a heat map's y values (e.g. weekday 1 -> Mon). */
const yLabelField = (visual: Extract<Visual, { kind: 'heatmap' }>): string => `${visual.y}_label`;

function calculatedFields(dashboard: DashboardDefinition): quicksight.CfnDashboard.CalculatedFieldProperty[] {
  return dashboard.visuals.flatMap((visual) => {
    if (visual.kind !== 'heatmap' || !visual.yLabels) return [];
    // Labels come from the definition file (code), quoted for QuickSight's expression language.
    const quote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    const cases = Object.entries(visual.yLabels).map(([value, label]) => `{${visual.y}} = ${Number(value)}, ${quote(label)}`);
    return [{ dataSetIdentifier: visual.dataset, name: yLabelField(visual), expression: `ifelse(${cases.join(', ')}, toString({${visual.y}}))` }];
  });
}

/** Each filter's parameter declarations and controls (defaults: all sites, month to date). */
function filterParameters(filter: DashboardFilter, datasets: string[]): { declarations: quicksight.CfnDashboard.ParameterDeclarationProperty[]; controls: quicksight.CfnDashboard.ParameterControlProperty[] } {
  if (filter.kind === 'site') {
    const name = parameterName(filter.param);
    const source = datasets.find((d) => getNamedQuery(getDataset(d).query).columns.some((c) => c.name === 'site_id'));
    return {
      declarations: [{ stringParameterDeclaration: { name, parameterValueType: 'SINGLE_VALUED', valueWhenUnset: { valueWhenUnsetOption: 'NULL' } } }],
      controls: [{ dropdown: {
        parameterControlId: `control-${name}`, sourceParameterName: name, title: filter.label, type: 'SINGLE_SELECT',
        ...(source ? { selectableValues: { linkToDataSetColumn: { dataSetIdentifier: source, columnName: 'site_id' } } } : {}),
      } }],
    };
  }
  const [start, end] = filter.params.map(parameterName) as [string, string];
  // month_to_date: from the first of this month to today.
  const dateParameter = (name: string, expression: string): quicksight.CfnDashboard.ParameterDeclarationProperty => ({
    dateTimeParameterDeclaration: { name, timeGranularity: 'DAY', defaultValues: { rollingDate: { expression } }, valueWhenUnset: { valueWhenUnsetOption: 'RECOMMENDED_VALUE' } },
  });
  return {
    declarations: [dateParameter(start, "truncDate('MM', now())"), dateParameter(end, "truncDate('DD', now())")],
    controls: [start, end].map((name, i) => ({ dateTimePicker: { parameterControlId: `control-${name}`, sourceParameterName: name, title: `${filter.label} ${i === 0 ? 'from' : 'to'}` } })),
  };
}

/** One filter group per (filter, dataset with the filtered column), scoped to that dataset's visuals. */
function filterGroups(dashboard: DashboardDefinition, visualIds: Map<string, string[]>): quicksight.CfnDashboard.FilterGroupProperty[] {
  const groups: quicksight.CfnDashboard.FilterGroupProperty[] = [];
  const scope = (dataset: string) => ({ selectedSheets: { sheetVisualScopingConfigurations: [{ sheetId: SHEET_ID, scope: 'SELECTED_VISUALS', visualIds: visualIds.get(dataset) ?? [] }] } });
  for (const filter of dashboard.filters) {
    for (const dataset of visualIds.keys()) {
      const filterId = `${filter.kind}-${dataset}`;
      if (filter.kind === 'site') {
        if (!getNamedQuery(getDataset(dataset).query).columns.some((c) => c.name === 'site_id')) continue;
        groups.push({
          filterGroupId: filterId, crossDataset: 'SINGLE_DATASET', status: 'ENABLED', scopeConfiguration: scope(dataset),
          filters: [{ categoryFilter: {
            filterId, column: { dataSetIdentifier: dataset, columnName: 'site_id' },
            configuration: { customFilterConfiguration: { matchOperator: 'EQUALS', parameterName: parameterName(filter.param), nullOption: 'NON_NULLS_ONLY', selectAllOptions: 'FILTER_ALL_VALUES' } },
          } }],
        });
      } else {
        const column = dateColumn(dataset);
        if (!column) continue;
        const [start, end] = filter.params.map(parameterName) as [string, string];
        groups.push({
          filterGroupId: filterId, crossDataset: 'SINGLE_DATASET', status: 'ENABLED', scopeConfiguration: scope(dataset),
          filters: [{ timeRangeFilter: {
            filterId, column: { dataSetIdentifier: dataset, columnName: column.name }, nullOption: 'NON_NULLS_ONLY',
            includeMinimum: true, includeMaximum: true, timeGranularity: column.granularity,
            rangeMinimumValue: { parameter: start }, rangeMaximumValue: { parameter: end },
          } }],
        });
      }
    }
  }
  return groups;
}

/** Grid positions on QuickSight's 36-column canvas: KPIs in a row, charts half width, tables full width. */
function layout(visuals: VisualProperty[]): quicksight.CfnDashboard.GridLayoutElementProperty[] {
  return visuals.map((v) => {
    const kind = Object.keys(v)[0];
    const [columnSpan, rowSpan] = kind === 'kpiVisual' ? [6, 4] : kind === 'tableVisual' ? [36, 10] : [18, 10];
    return { elementId: visualIdOf(v), elementType: 'VISUAL', columnSpan: columnSpan as number, rowSpan: rowSpan as number };
  });
}

/** The QuickSight definition of a dashboard, reading the datasets by their ARNs. */
export function dashboardDefinition(dashboard: DashboardDefinition, dataSetArns: Record<string, string>): Def {
  const visuals = dashboard.visuals.flatMap(quicksightVisuals);
  const visualIds = new Map<string, string[]>();
  for (const v of dashboard.visuals) visualIds.set(v.dataset, [...(visualIds.get(v.dataset) ?? []), ...quicksightVisuals(v).map(visualIdOf)]);
  const datasets = [...visualIds.keys()];
  for (const d of datasets) if (!dataSetArns[d]) throw new Error(`dashboard ${dashboard.id}: no QuickSight dataset for ${d}`);
  const parameters = dashboard.filters.map((f) => filterParameters(f, datasets));
  return {
    dataSetIdentifierDeclarations: datasets.map((identifier) => ({ identifier, dataSetArn: dataSetArns[identifier] as string })),
    calculatedFields: calculatedFields(dashboard),
    parameterDeclarations: parameters.flatMap((p) => p.declarations),
    filterGroups: filterGroups(dashboard, visualIds),
    sheets: [{
      sheetId: SHEET_ID,
      name: dashboard.title,
      description: dashboard.description,
      parameterControls: parameters.flatMap((p) => p.controls),
      visuals,
      layouts: [{ configuration: { gridLayout: { elements: layout(visuals) } } }],
    }],
  };
}
