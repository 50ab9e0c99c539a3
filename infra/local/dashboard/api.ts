// The dashboard's JSON API on the twin's HTTP server:
//   GET /api/dashboards                      the dashboards (id, title)
//   GET /api/dashboards/:id                  one definition (filters, visuals)
//   GET /api/dashboards/:id/visuals?site_id=&start_date=&end_date=
//                                            every visual's numbers for those filters
//   GET /api/sites                           sites for the site filter
//   GET /api/version                         the lake's version: changes when data lands
// Bad filter values are a 400 with {"error": "..."}; an unknown dashboard a 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DuckDBInstance } from '@duckdb/node-api';
import { DASHBOARDS } from '../../../pipeline/dashboards/definitions.ts';
import { FilterError, parseFilterValues } from '../../../pipeline/dashboards/filter-params.ts';
import { NamedQueryError } from '../../../pipeline/query/named-queries.ts';
import type { Route } from '../http-server.ts';
import { dashboardVisuals, listSites } from './dashboard-data.ts';
import { lakeVersion } from './lake-version.ts';

const DASHBOARD_PATH = /^\/api\/dashboards\/([^/]+)(\/visuals)?$/;

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/** The API's default period is month to date in UTC (the page sends its own, in the browser's zone). */
const utcToday = (): string => new Date().toISOString().slice(0, 10);

export function dashboardApi({ duckdb, lake }: { duckdb: DuckDBInstance; lake: string }): Route {
  async function handle(response: ServerResponse, url: URL): Promise<void> {
    if (url.pathname === '/api/version') return sendJson(response, 200, { version: await lakeVersion(lake) });
    if (url.pathname === '/api/sites') return sendJson(response, 200, { sites: await listSites(duckdb, lake) });
    if (url.pathname === '/api/dashboards') return sendJson(response, 200, { dashboards: DASHBOARDS.map(({ id, title, description }) => ({ id, title, description })) });
    const match = DASHBOARD_PATH.exec(url.pathname);
    if (!match) return sendJson(response, 404, { error: `no API at ${url.pathname}` });
    const id = decodeURIComponent(match[1] as string);
    const dashboard = DASHBOARDS.find((d) => d.id === id);
    if (!dashboard) return sendJson(response, 404, { error: `unknown dashboard ${JSON.stringify(id)}; dashboards: ${DASHBOARDS.map((d) => d.id).join(', ')}` });
    if (!match[2]) return sendJson(response, 200, { dashboard });
    // The version first: if data lands while the queries run, the page's next poll sees a newer one.
    const version = await lakeVersion(lake);
    const filters = parseFilterValues(dashboard, url.searchParams.entries(), utcToday());
    const visuals = await dashboardVisuals(duckdb, lake, dashboard, filters);
    sendJson(response, 200, { dashboard: dashboard.id, filters, version, visuals });
  }

  return async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return false;
    if (request.method !== 'GET') {
      response.setHeader('allow', 'GET');
      sendJson(response, 405, { error: `${request.method} is not allowed; the dashboard API is read-only (GET)` });
      return true;
    }
    try {
      await handle(response, url);
    } catch (error) {
      // Filter values are user input: a clear 400, never a 500. URIError: a malformed %-escape in the path.
      if (error instanceof FilterError || error instanceof NamedQueryError || error instanceof URIError) sendJson(response, 400, { error: error.message });
      else sendJson(response, 500, { error: `internal error: ${(error as Error).message}` });
    }
    return true;
  };
}
