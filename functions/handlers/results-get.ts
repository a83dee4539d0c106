import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { documentDeps } from '../adapters/document-deps.js';
import { downloadResult } from '../app/documents.js';
import { traced } from '../adapters/tracing.js';

/** JSON `{url}` rather than a 302: the API call carries a bearer token, and a redirect to S3 would be followed blind. */
export const handler = traced(httpRoute(input.GetResult, async ({ caller, params }) => ({
  status: 200,
  body: await downloadResult(documentDeps(), caller, params.code, params.id),
})));
