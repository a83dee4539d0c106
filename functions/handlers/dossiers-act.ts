import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { workflowDeps } from '../adapters/deps.js';
import { actOnDossier } from '../app/workflow.js';
import { businessMetrics } from '../declaration.js';
import { countMetric, countRefusal, withMetrics } from '../http/metrics.js';
import { traced } from '../adapters/tracing.js';

const route = httpRoute(input.ActOnDossier, async ({ caller, params, body }) => {
  const { expectedVersion, ...command } = body;
  const view = await countRefusal('version_conflict', businessMetrics.versionConflicts, () => actOnDossier(workflowDeps(), caller, params.code, command, expectedVersion));
  if (command.action === 'refuse') countMetric(businessMetrics.dossiersRefused);
  return { status: 200, body: view };
});

export const handler = traced(withMetrics(route));
