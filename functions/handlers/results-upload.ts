import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { documentDeps } from '../adapters/document-deps.js';
import { requestResultUpload } from '../app/documents.js';
import { traced } from '../adapters/tracing.js';

export const handler = traced(httpRoute(input.UploadResult, async ({ caller, params, body }) => ({
  status: 201,
  body: await requestResultUpload(documentDeps(), caller, params.code, body),
})));
