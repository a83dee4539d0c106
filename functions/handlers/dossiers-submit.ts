import { httpRoute } from '../http/route.js';
import { documentDeps } from '../adapters/document-deps.js';
import { submitDraft } from '../app/documents.js';

export const handler = httpRoute('SubmitDossier', async ({ caller, params, deadline }) => {
  const body = await submitDraft(documentDeps(), caller, params.code, deadline);
  return { status: 200, body, headers: { location: body.trackingUrl } };
});
