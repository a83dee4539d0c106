import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { currentProvince } from '../adapters/province.js';
import { findService } from '../domain/catalog.js';
import { serviceDetail } from '../app/catalog-views.js';

export const handler = httpRoute(input.GetService, async ({ params }) => {
  const province = currentProvince();
  return { status: 200, body: serviceDetail(province, findService(province, params.id)) };
});
