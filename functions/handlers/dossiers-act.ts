import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { workflowDeps } from '../adapters/deps.js';
import { actOnDossier } from '../app/workflow.js';

export const handler = httpRoute(input.ActOnDossier, async ({ caller, params, body }) => {
  const { expectedVersion, ...command } = body;
  return { status: 200, body: await actOnDossier(workflowDeps(), caller, params.code, command, expectedVersion) };
});
