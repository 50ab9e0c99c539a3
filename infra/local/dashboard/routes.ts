// The dashboard's routes for the twin's HTTP server (startTwin's `routes` option).
import type { DuckDBInstance } from '@duckdb/node-api';
import type { Route } from '../http-server.ts';
import { dashboardApi } from './api.ts';
import { staticFiles } from './static-files.ts';

export function dashboardRoutes({ duckdb, lake }: { duckdb: DuckDBInstance; lake: string }): Route[] {
  return [dashboardApi({ duckdb, lake }), staticFiles()];
}

/** The page's address as printed at start-up (a wildcard listen address is reached via loopback). */
export function dashboardUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}/`;
}
