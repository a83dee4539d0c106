import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { workflowDeps } from '../adapters/deps.js';
import { actOnDossier } from '../app/workflow.js';

export const handler = httpRoute(input.SupplementDossier, async ({ caller, params, body }) => ({
  status: 200,
  body: await actOnDossier(workflowDeps(), caller, params.code, { action: 'supplement', ...(body.note ? { note: body.note } : {}) }, body.expectedVersion),
}));
