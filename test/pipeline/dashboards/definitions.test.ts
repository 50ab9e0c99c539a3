// The dashboard and dataset definitions against the named queries they read: every name a
// definition uses must exist in the query header it points at, with a type that fits.
import { describe, expect, it } from 'vitest';
import { DASHBOARDS, DATASETS, getDataset, type Visual } from '../../../pipeline/dashboards/definitions.ts';
import { filterParameterNames } from '../../../pipeline/dashboards/filter-params.ts';
import { CURRENCY_UNIT } from '../../../pipeline/dashboards/visual-data.ts';
import { bindParameters, getNamedQuery, loadNamedQueries } from '../../../pipeline/query/named-queries.ts';

const NUMERIC = new Set(['double', 'bigint', 'integer']);
const columnsOf = (dataset: string) => new Map(getNamedQuery(getDataset(dataset).query).columns.map((c) => [c.name, c.type]));

/** Columns a visual reads: [column, needs a number]. */
function usedColumns(visual: Visual): [string, boolean][] {
  switch (visual.kind) {
    case 'kpi': return [[visual.value.column, true], ...(visual.secondary ? [[visual.secondary.column, true] as [string, boolean]] : [])];
    case 'line': return [[visual.x, false], [visual.y.column, true], ...(visual.series ? [[visual.series, false] as [string, boolean]] : [])];
    case 'bar': return [[visual.x, false], [visual.y.column, true], ...(visual.series ? [[visual.series, false] as [string, boolean]] : []),
      ...(visual.comparison ? [[visual.comparison.column, true] as [string, boolean]] : [])];
    case 'heatmap': return [[visual.x, false], [visual.y, false], [visual.value.column, true]];
    case 'table': return visual.columns.map((c) => [c.column, c.decimals !== undefined || c.unit !== undefined]);
  }
}

const visuals = DASHBOARDS.flatMap((d) => d.visuals.map((v) => [`${d.id}/${v.id}`, v] as const));

describe('dataset definitions', () => {
  it.each(DATASETS.map((d) => [d.name, d] as const))('%s reads a named query that exists, and its fixed parameters bind', (_name, dataset) => {
    expect(loadNamedQueries().map((q) => q.name)).toContain(dataset.query);
    const query = getNamedQuery(dataset.query);
    const required = Object.fromEntries(query.params.filter((p) => p.required).map((p) => [p.name, p.type === 'date' ? '2026-03-01' : 'x']));
    expect(() => bindParameters(query, { ...required, ...dataset.fixedParams })).not.toThrow();
  });

  it('has unique, lowercase names', () => {
    const names = DATASETS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9_]+$/);
  });
});

describe('dashboard definitions', () => {
  it('have unique dashboard ids and unique visual ids within each dashboard', () => {
    expect(new Set(DASHBOARDS.map((d) => d.id)).size).toBe(DASHBOARDS.length);
    for (const dashboard of DASHBOARDS) expect(new Set(dashboard.visuals.map((v) => v.id)).size).toBe(dashboard.visuals.length);
  });

  it.each(visuals)('%s reads a defined dataset, and every column it names is in the query header (numbers where it measures)', (_id, visual) => {
    expect(DATASETS.map((d) => d.name)).toContain(visual.dataset);
    const columns = columnsOf(visual.dataset);
    for (const [column, numeric] of usedColumns(visual)) {
      expect(columns.has(column), `${visual.dataset} has no column ${column}`).toBe(true);
      if (numeric) expect(NUMERIC.has(columns.get(column)!), `${visual.dataset}.${column} is ${columns.get(column)}, not a number`).toBe(true);
    }
  });

  it.each(visuals)('%s uses the currency unit only on a dataset with a currency column', (_id, visual) => {
    const units = visual.kind === 'table' ? visual.columns.map((c) => c.unit) : usedMeasureUnits(visual);
    if (units.includes(CURRENCY_UNIT)) expect(columnsOf(visual.dataset).get('currency')).toBe('varchar');
  });

  it.each(DASHBOARDS.flatMap((d) => [...new Set(d.visuals.map((v) => v.dataset))].map((ds) => [`${d.id} -> ${ds}`, d, ds] as const)))(
    'every filter parameter exists in the query of %s, with the filter\'s type', (_name, dashboard, dataset) => {
      const params = new Map(getNamedQuery(getDataset(dataset).query).params.map((p) => [p.name, p.type]));
      for (const name of filterParameterNames(dashboard)) {
        expect(params.get(name), `${dataset} lacks parameter ${name}`).toBe(name === 'site_id' ? 'varchar' : 'date');
      }
    },
  );
});

function usedMeasureUnits(visual: Exclude<Visual, { kind: 'table' }>): string[] {
  switch (visual.kind) {
    case 'kpi': return [visual.value.unit, visual.secondary?.unit ?? ''];
    case 'line': return [visual.y.unit];
    case 'bar': return [visual.y.unit, visual.comparison?.unit ?? ''];
    case 'heatmap': return [visual.value.unit];
  }
}
