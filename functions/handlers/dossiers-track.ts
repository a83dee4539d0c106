import { httpRoute } from '../http/route.js';
import { dossierDeps } from '../adapters/deps.js';
import { trackByPin } from '../app/tracking.js';

export const handler = httpRoute('TrackDossier', async ({ params, query }) => ({
  status: 200,
  body: await trackByPin(dossierDeps(), params.code, query.pin),
}));
