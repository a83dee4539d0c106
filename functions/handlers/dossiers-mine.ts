import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { dossierDeps } from '../adapters/deps.js';
import { listMyDossiers } from '../app/tracking.js';
import { AppError } from '../domain/errors.js';
import { traced } from '../adapters/tracing.js';

export const handler = traced(httpRoute(input.ListMyDossiers, async ({ caller, query }) => {
  if (caller.kind !== 'citizen') throw new AppError('forbidden', 'forbidden', 'only citizens have dossiers of their own', 'Chỉ công dân mới có danh sách hồ sơ của mình.');
  return { status: 200, body: await listMyDossiers(dossierDeps(), caller, query.limit, query.cursor) };
}));
