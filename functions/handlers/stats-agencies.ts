import type { Context } from 'aws-lambda';
import { httpRoute, type HttpEvent, type HttpResult } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { dynamo } from '../adapters/dynamo-client.js';
import { requiredEnv } from '../adapters/env.js';
import { currentProvince } from '../adapters/province.js';
import { now } from '../adapters/clock.js';
import { StatsRepository } from '../adapters/stats-repository.js';
import { environment, routeById } from '../declaration.js';
import { rankingCsv, readAgencyRanking } from '../app/statistics.js';
import { asCsvWhenAsked } from '../http/csv.js';

let stats: StatsRepository | undefined;

const route = httpRoute(input.RankAgencies, async ({ query }) => {
  stats ??= new StatsRepository(dynamo(), requiredEnv(environment.tableName));
  const maxAge = routeById('RankAgencies').cacheSeconds ?? 0;
  return { status: 200, body: await readAgencyRanking({ stats, province: currentProvince(), now: now() }, query), headers: { 'cache-control': `public, max-age=${maxAge}` } };
});

export const handler = (event: HttpEvent, context: Context): Promise<HttpResult> => asCsvWhenAsked(route, event, context, rankingCsv);
