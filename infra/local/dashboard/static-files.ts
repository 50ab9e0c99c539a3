// The dashboard page and its assets, served from a fixed table: the URL only selects an entry,
// so no file path is ever built from a request.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Route } from '../http-server.ts';

const file = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

interface StaticFile {
  path: string;
  type: string;
  /** Seconds a browser may cache it (the vendored library never changes under a running twin). */
  maxAge: number;
}

export const STATIC_FILES: Readonly<Record<string, StaticFile>> = {
  '/': { path: file('static/index.html'), type: 'text/html; charset=utf-8', maxAge: 0 },
  '/dashboard.js': { path: file('static/dashboard.js'), type: 'text/javascript; charset=utf-8', maxAge: 0 },
  '/dashboard.css': { path: file('static/dashboard.css'), type: 'text/css; charset=utf-8', maxAge: 0 },
  '/vendor/echarts.min.js': { path: file('../../../node_modules/echarts/dist/echarts.min.js'), type: 'text/javascript; charset=utf-8', maxAge: 3600 },
};

export function staticFiles(): Route {
  return async (request, response, url) => {
    const entry = Object.hasOwn(STATIC_FILES, url.pathname) ? STATIC_FILES[url.pathname] : undefined;
    if (!entry || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
    const body = await readFile(entry.path);
    response.writeHead(200, {
      'content-type': entry.type,
      'content-length': body.byteLength,
      'cache-control': entry.maxAge ? `max-age=${entry.maxAge}` : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
    return true;
  };
}
