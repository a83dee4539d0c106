import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { workflowDeps } from '../adapters/deps.js';
import { agencyInbox } from '../app/workflow.js';
import { traced } from '../adapters/tracing.js';

export const handler = traced(httpRoute(input.ListAgencyDossiers, async ({ caller, params, query }) => ({
  status: 200,
  body: await agencyInbox(workflowDeps(), caller, params.id, query),
})));
