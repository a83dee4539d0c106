import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { dossierDeps } from '../adapters/deps.js';
import { trackByPin } from '../app/tracking.js';
import { businessMetrics } from '../declaration.js';
import { countRefusal, withMetrics } from '../http/metrics.js';
import { traced } from '../adapters/tracing.js';

const route = httpRoute(input.TrackDossier, async ({ params, query }) => ({
  status: 200,
  body: await countRefusal('too_many_attempts', businessMetrics.pinLockouts, () => trackByPin(dossierDeps(), params.code, query.pin)),
}));

export const handler = traced(withMetrics(route));
