import type { Context } from 'aws-lambda';
import { httpRoute, type HttpEvent, type HttpResult } from '../http/route.js';
import { signedReads } from '../adapters/dynamo-http.js';
import * as input from '../contracts/inputs.js';
import { requiredEnv } from '../adapters/env.js';
import { currentProvince } from '../adapters/province.js';
import { now } from '../adapters/clock.js';
import { StatsReader } from '../adapters/stats-reader.js';
import { environment } from '../declaration.js';
import { rankingCsv, readAgencyRanking } from '../app/statistics.js';
import { asCsvWhenAsked } from '../http/csv.js';

// public reads: signed requests without the SDK client (dynamo-http.ts), for a small bundle and a fast cold start
let stats: StatsReader | undefined;

const route = httpRoute(input.RankAgencies, async ({ query }) => {
  stats ??= new StatsReader(signedReads(), requiredEnv(environment.tableName));
  const maxAge = input.RankAgencies.route.cacheSeconds;
  return { status: 200, body: await readAgencyRanking({ stats, province: currentProvince(), now: now() }, query), headers: { 'cache-control': `public, max-age=${maxAge}` } };
});

export const handler = (event: HttpEvent, context: Context): Promise<HttpResult> => asCsvWhenAsked(route, event, context, rankingCsv);
