import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { buildOpenApi } from '../http/openapi.js';
import { currentProvince } from '../adapters/province.js';
import { environment } from '../declaration.js';

let document: Record<string, unknown> | undefined;

export const handler = httpRoute(input.OpenApi, async () => {
  const baseUrl = process.env[environment.publicBaseUrl];
  document ??= buildOpenApi({ title: `motcua — ${currentProvince().name}`, version: '1', ...(baseUrl ? { serverUrl: baseUrl } : {}) });
  return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
});
