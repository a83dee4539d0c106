import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { currentProvince } from '../adapters/province.js';
import { agencyView } from '../app/catalog-views.js';
import { currentAgencies } from '../domain/catalog.js';

export const handler = httpRoute(input.ListAgencies, async () => ({
  status: 200,
  // the current structure only: abolished agencies stay in history (their dossiers and figures), not in the list
  body: { items: currentAgencies(currentProvince()).map(agencyView) },
}));
