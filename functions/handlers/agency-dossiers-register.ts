import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { dossierDeps } from '../adapters/deps.js';
import { registerDeskDossier } from '../app/dossiers.js';
import { countSubmission, withMetrics } from '../http/metrics.js';
import { traced } from '../adapters/tracing.js';

const route = httpRoute(input.RegisterDeskDossier, async ({ caller, params, body, header, deadline }) => {
  const result = await registerDeskDossier(dossierDeps(), caller, params.id, body, header('idempotency-key'), deadline);
  if (!result.replayed) countSubmission(body.channel);
  return {
    status: 201,
    body: result.body,
    headers: { location: result.body.trackingUrl, ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}) },
  };
});

export const handler = traced(withMetrics(route));
