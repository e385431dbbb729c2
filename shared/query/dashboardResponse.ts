import type { ApiRequest } from './apiQuery.js';
import { DASHBOARD_ASSETS } from './dashboardAssets.js';
import type { HttpResponse } from './httpResponse.js';

/** The dashboard's files (web/, bundled by scripts/buildWeb.mjs) by path. */
const FILES: Readonly<
  Record<string, { body: keyof typeof DASHBOARD_ASSETS; type: string }>
> = {
  '/': { body: 'html', type: 'text/html; charset=utf-8' },
  '/index.html': { body: 'html', type: 'text/html; charset=utf-8' },
  '/app.js': { body: 'js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { body: 'css', type: 'text/css; charset=utf-8' },
};

/**
 * The dashboard's page or asset for a GET (or HEAD) of its path; null for
 * any other request (the API's). Served with a policy that lets the page
 * load only its own scripts and call only its own origin.
 * @example dashboardResponse({ method: 'GET', path: '/', query: {}, headers: {} })
 */
function dashboardResponse(request: ApiRequest): HttpResponse | null {
  const file = FILES[request.path];
  if (file === undefined) return null;
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  return {
    statusCode: 200,
    headers: {
      'content-type': file.type,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    },
    body: DASHBOARD_ASSETS[file.body],
  };
}

export { dashboardResponse };
