import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { dossierDeps } from '../adapters/deps.js';
import { submitDossier } from '../app/dossiers.js';
import { AppError } from '../domain/errors.js';
import { countSubmission, withMetrics } from '../http/metrics.js';
import { traced } from '../adapters/tracing.js';

const route = httpRoute(input.CreateDossier, async ({ caller, body, header, deadline }) => {
  if (caller.kind !== 'citizen') throw new AppError('forbidden', 'forbidden', 'only citizens submit dossiers online', 'Chỉ công dân mới nộp hồ sơ trực tuyến.');
  const result = await submitDossier(dossierDeps(), caller, body, header('idempotency-key'), deadline);
  // a draft is filed later (SubmitDossier); a replay was counted when it was first answered
  if (!result.replayed && !result.body.dossier.draft) countSubmission('online');
  return {
    status: 201,
    body: result.body,
    headers: { location: result.body.trackingUrl, ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}) },
  };
});

export const handler = traced(withMetrics(route));
