import type { Context } from 'aws-lambda';
import { httpRoute, type HttpEvent, type HttpResult } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { dynamo } from '../adapters/dynamo-client.js';
import { requiredEnv } from '../adapters/env.js';
import { currentProvince } from '../adapters/province.js';
import { now } from '../adapters/clock.js';
import { StatsRepository } from '../adapters/stats-repository.js';
import { SyncStateRepository } from '../adapters/sync-state.js';
import { environment } from '../declaration.js';
import { readPeriodReport, readStats, reportCsv, statsCsv } from '../app/statistics.js';
import { asCsvWhenAsked } from '../http/csv.js';

let stats: StatsRepository | undefined;
let syncState: SyncStateRepository | undefined;

const route = httpRoute(input.GetStats, async ({ query }) => {
  stats ??= new StatsRepository(dynamo(), requiredEnv(environment.tableName));
  syncState ??= new SyncStateRepository(dynamo(), requiredEnv(environment.tableName));
  const deps = { stats, syncState, province: currentProvince(), now: now() };
  return { status: 200, body: query.shape === 'report' ? await readPeriodReport(deps, query) : await readStats(deps, query) };
});

type Answer = Awaited<ReturnType<typeof readStats>> | Awaited<ReturnType<typeof readPeriodReport>>;

export const handler = (event: HttpEvent, context: Context): Promise<HttpResult> =>
  asCsvWhenAsked<Answer>(route, event, context, (body) => ('report' in body ? reportCsv(body) : statsCsv(body)));
