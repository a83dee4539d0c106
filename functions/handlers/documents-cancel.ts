import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { documentDeps } from '../adapters/document-deps.js';
import { cancelDocumentUpload } from '../app/documents.js';
import { traced } from '../adapters/tracing.js';

export const handler = traced(httpRoute(input.CancelDocument, async ({ caller, params }) => {
  await cancelDocumentUpload(documentDeps(), caller, params.code, params.id);
  return { status: 204 };
}));
