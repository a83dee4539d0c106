import { httpRoute } from '../http/route.js';
import { workflowDeps } from '../adapters/deps.js';
import { agencyInbox } from '../app/workflow.js';

export const handler = httpRoute('ListAgencyDossiers', async ({ caller, params, query }) => ({
  status: 200,
  body: await agencyInbox(workflowDeps(), caller, params.id, query),
}));
