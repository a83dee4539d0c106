import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { dossierDeps } from '../adapters/deps.js';
import { trackByPin } from '../app/tracking.js';

export const handler = httpRoute(input.TrackDossier, async ({ params, query }) => ({
  status: 200,
  body: await trackByPin(dossierDeps(), params.code, query.pin),
}));
