import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { currentProvince } from '../adapters/province.js';
import { filterCatalogEntries, filterServices } from '../domain/catalog.js';
import { serviceSummary } from '../app/catalog-views.js';

export const handler = httpRoute(input.ListServices, async ({ query }) => {
  const province = currentProvince();
  const filter = {
    level: query.level as 1 | 2 | 3 | 4 | undefined,
    tier: query.tier,
    agencyId: query.agency,
    fullyOnline: query.fullyOnline,
    text: query.q,
  };
  const matches = [...filterServices(province, filter), ...filterCatalogEntries(province, filter)];
  // a province-sized catalog matches hundreds of procedures for a common word: answer a page of them
  const offset = query.offset ?? 0;
  const items = matches.slice(offset, offset + (query.limit ?? 100)).map(serviceSummary);
  return { status: 200, body: { total: matches.length, items } };
});
