import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { documentDeps } from '../adapters/document-deps.js';
import { requestDocumentUpload } from '../app/documents.js';
import { traced } from '../adapters/tracing.js';

export const handler = traced(httpRoute(input.UploadDocument, async ({ caller, params, body, header }) => ({
  status: 201,
  body: await requestDocumentUpload(documentDeps(), caller, params.code, body, header('idempotency-key')),
})));
