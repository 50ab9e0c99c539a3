// The twin's HTTP server with only the dashboard routes, on a lake folder: what `wattlake up`
// serves, without a broker.
import type { DuckDBInstance } from '@duckdb/node-api';
import { Registry } from 'prom-client';
import { dashboardRoutes } from '../../infra/local/dashboard/routes.ts';
import { startHttpServer, type RunningHttpServer } from '../../infra/local/http-server.ts';

export interface DashboardServer {
  server: RunningHttpServer;
  url: string;
  /** GET a path; the parsed JSON body and the status. */
  getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

export async function startDashboardServer(duckdb: DuckDBInstance, lake: string): Promise<DashboardServer> {
  const server = await startHttpServer({ port: 0, metrics: new Registry(), routes: dashboardRoutes({ duckdb, lake }) });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    server, url,
    async getJson(path) {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: await response.json() as Record<string, unknown> };
    },
  };
}
