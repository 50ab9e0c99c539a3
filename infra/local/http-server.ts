// The twin's HTTP side: /metrics (Prometheus), /healthz, and whatever routes the dashboard adds.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type Route = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean> | boolean;

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer({ port, host = '127.0.0.1', metrics, routes = [] }: { port: number; host?: string; metrics: Registry; routes?: Route[] }): Promise<RunningHttpServer> {
  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`internal error: ${error.message}\n`);
    });
  });
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/metrics') {
      response.writeHead(200, { 'content-type': metrics.contentType });
      response.end(await metrics.metrics());
      return;
    }
    if (url.pathname === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok\n');
      return;
    }
    for (const route of routes) if (await route(request, response, url)) return;
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found\n');
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
