import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { workflowDeps } from '../adapters/deps.js';
import { actOnDossier } from '../app/workflow.js';
import { businessMetrics } from '../declaration.js';
import { countRefusal, withMetrics } from '../http/metrics.js';
import { traced } from '../adapters/tracing.js';

const route = httpRoute(input.SupplementDossier, async ({ caller, params, body }) => ({
  status: 200,
  body: await countRefusal('version_conflict', businessMetrics.versionConflicts, () =>
    actOnDossier(workflowDeps(), caller, params.code, { action: 'supplement', ...(body.note ? { note: body.note } : {}) }, body.expectedVersion),
  ),
}));

export const handler = traced(withMetrics(route));
