import { httpRoute } from '../http/route.js';
import { currentProvince } from '../adapters/province.js';
import { filterServices } from '../domain/catalog.js';
import { serviceSummary } from '../domain/views.js';

export const handler = httpRoute('ListServices', async ({ query }) => {
  const items = filterServices(currentProvince(), {
    level: query.level as 1 | 2 | 3 | 4 | undefined,
    tier: query.tier,
    agencyId: query.agency,
    fullyOnline: query.fullyOnline,
    text: query.q,
  }).map(serviceSummary);
  return { status: 200, body: { total: items.length, items } };
});
