import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { workflowDeps } from '../adapters/deps.js';
import { actOnDossier } from '../app/workflow.js';
import { traced } from '../adapters/tracing.js';

export const handler = traced(httpRoute(input.RateDossier, async ({ caller, params, body }) => ({
  status: 200,
  body: await actOnDossier(workflowDeps(), caller, params.code, { action: 'rate', rating: body.rating, ...(body.comment ? { comment: body.comment } : {}) }),
})));
