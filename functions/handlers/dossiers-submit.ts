import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { documentDeps } from '../adapters/document-deps.js';
import { submitDraft } from '../app/documents.js';

export const handler = httpRoute(input.SubmitDossier, async ({ caller, params, deadline }) => {
  const body = await submitDraft(documentDeps(), caller, params.code, deadline);
  return { status: 200, body, headers: { location: body.trackingUrl } };
});
