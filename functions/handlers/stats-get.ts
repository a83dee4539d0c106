import type { Context } from 'aws-lambda';
import { httpRoute, type HttpEvent, type HttpResult } from '../http/route.js';
import { signedReads } from '../adapters/dynamo-http.js';
import * as input from '../contracts/inputs.js';
import { requiredEnv } from '../adapters/env.js';
import { currentProvince } from '../adapters/province.js';
import { now } from '../adapters/clock.js';
import { StatsReader } from '../adapters/stats-reader.js';
import { SyncCounts } from '../adapters/sync-counts.js';
import { environment } from '../declaration.js';
import { readPeriodReport, readStats, reportCsv, statsCsv } from '../app/statistics.js';
import { asCsvWhenAsked } from '../http/csv.js';

// public reads: signed requests without the SDK client (dynamo-http.ts), for a small bundle and a fast cold start
let stats: StatsReader | undefined;
let syncState: SyncCounts | undefined;

const route = httpRoute(input.GetStats, async ({ query }) => {
  stats ??= new StatsReader(signedReads(), requiredEnv(environment.tableName));
  syncState ??= new SyncCounts(signedReads(), requiredEnv(environment.tableName));
  const deps = { stats, syncState, province: currentProvince(), now: now() };
  return { status: 200, body: query.shape === 'report' ? await readPeriodReport(deps, query) : await readStats(deps, query) };
});

type Answer = Awaited<ReturnType<typeof readStats>> | Awaited<ReturnType<typeof readPeriodReport>>;

export const handler = (event: HttpEvent, context: Context): Promise<HttpResult> =>
  asCsvWhenAsked<Answer>(route, event, context, (body) => ('report' in body ? reportCsv(body) : statsCsv(body)));
