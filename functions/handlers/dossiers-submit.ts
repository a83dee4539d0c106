import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { documentDeps } from '../adapters/document-deps.js';
import { submitDraft } from '../app/documents.js';
import { countSubmission, withMetrics } from '../http/metrics.js';
import { traced } from '../adapters/tracing.js';

const route = httpRoute(input.SubmitDossier, async ({ caller, params, deadline }) => {
  const { replayed, body } = await submitDraft(documentDeps(), caller, params.code, deadline);
  if (!replayed) countSubmission('online');
  return { status: 200, body, headers: { location: body.trackingUrl } };
});

export const handler = traced(withMetrics(route));
