import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { documentDeps } from '../adapters/document-deps.js';
import { downloadDocument } from '../app/documents.js';
import { traced } from '../adapters/tracing.js';

/** Like results: JSON `{url}` that says what will be downloaded, rather than a redirect followed blind. */
export const handler = traced(httpRoute(input.GetDocument, async ({ caller, params }) => ({
  status: 200,
  body: await downloadDocument(documentDeps(), caller, params.code, params.id),
})));
