import { httpRoute } from '../http/route.js';
import { documentDeps } from '../adapters/document-deps.js';
import { requestResultUpload } from '../app/documents.js';

export const handler = httpRoute('UploadResult', async ({ caller, params, body }) => ({
  status: 201,
  body: await requestResultUpload(documentDeps(), caller, params.code, body),
}));
