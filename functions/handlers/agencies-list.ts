import { httpRoute } from '../http/route.js';
import { currentProvince } from '../adapters/province.js';
import { agencyView } from '../domain/views.js';

export const handler = httpRoute('ListAgencies', async () => ({
  status: 200,
  body: { items: currentProvince().agencies.map(agencyView) },
}));
