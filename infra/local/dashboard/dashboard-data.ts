// The twin's QuickSight: a dashboard's visuals for some filter values, computed by running each
// dataset's named query once (parameters bound) and shaping the rows with the pure
// pipeline/dashboards/visual-data.ts.
import type { DuckDBInstance } from '@duckdb/node-api';
import { getDataset, type DashboardDefinition } from '../../../pipeline/dashboards/definitions.ts';
import { datasetParameters, type FilterValues } from '../../../pipeline/dashboards/filter-params.ts';
import { visualData, type VisualData } from '../../../pipeline/dashboards/visual-data.ts';
import { runLakeSql, runNamedQueries } from '../../../pipeline/query/lake-sql.ts';
import type { PlainRow } from '../../../pipeline/query/rows.ts';

/** Runs every dataset the dashboard uses once, then derives each visual from its dataset's rows. */
export async function dashboardVisuals(duckdb: DuckDBInstance, lakeRoot: string, dashboard: DashboardDefinition, filters: FilterValues): Promise<VisualData[]> {
  const datasets = [...new Set(dashboard.visuals.map((v) => v.dataset))].map(getDataset);
  // One connection and one computation of the shared views for all datasets: the slot
  // arithmetic costs more than any dataset's own query (docs/dashboards.md has the numbers).
  const requests = datasets.map((d) => ({ name: d.query, texts: datasetParameters(d, filters) }));
  const results = await runNamedQueries(duckdb, lakeRoot, requests, { materializeViews: true });
  const rows = new Map<string, PlainRow[]>(datasets.map((d, i) => [d.name, results[i]!.rows]));
  return dashboard.visuals.map((visual) => visualData(visual, rows.get(visual.dataset) ?? []));
}

export interface SiteOption {
  site_id: string;
  /** From the sites table; null for a site that sends data but is not in it. */
  name: string | null;
}

/** Sites for the site filter: those in the sites table and those with readings. No user input reaches this SQL. */
export async function listSites(duckdb: DuckDBInstance, lakeRoot: string): Promise<SiteOption[]> {
  const { rows } = await runLakeSql(duckdb, lakeRoot, `
    SELECT site_id, max(name) AS name
    FROM (SELECT site_id, name FROM sites UNION ALL SELECT DISTINCT site_id, CAST(NULL AS varchar) AS name FROM readings) known
    GROUP BY site_id
    ORDER BY site_id`);
  return rows.map((row) => ({ site_id: String(row.site_id), name: typeof row.name === 'string' ? row.name : null }));
}
