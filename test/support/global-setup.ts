import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { ensureWebBuild } from '../../local/web.js';

/** What tests learn about the run's local stack: its JSON-valued parts (as `provide` requires) plus a few derived ones. */
export type LocalStackInfo = Pick<
  LocalStack,
  'apiUrl' | 'endpoints' | 'region' | 'dataDir' | 'tableName' | 'bucketName' | 'queueUrlBase' | 'agencyQueueUrls' | 'eventsDlqUrl' | 'env' | 'notifications'
> & {
  readonly provinceId: string;
  readonly agencyIds: readonly string[];
  readonly issuer: string;
  readonly audience: string;
};

declare module 'vitest' {
  interface ProvidedContext {
    localStack: LocalStackInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-test-'));
  // Handlers run inside this process; their INFO logs would bury the test report.
  process.env.LOG_LEVEL ??= 'WARN';
  // and every submission's EMF line; test/integration/business-metrics.test.ts turns them on for its own requests
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // The stack serves the portal from web/dist, as `npm start` does; CI runs only `npm test`, so it is built here.
  await ensureWebBuild();
  const stack = await startLocalStack({ dataDir, ports: { api: 0, dynamodb: 0, s3: 0, sqs: 0, ses: 0, sms: 0 }, quiet: true });
  project.provide('localStack', {
    apiUrl: stack.apiUrl,
    endpoints: stack.endpoints,
    region: stack.region,
    provinceId: stack.province.id,
    agencyIds: stack.province.agencies.map((a) => a.id),
    dataDir: stack.dataDir,
    tableName: stack.tableName,
    bucketName: stack.bucketName,
    queueUrlBase: stack.queueUrlBase,
    agencyQueueUrls: stack.agencyQueueUrls,
    eventsDlqUrl: stack.eventsDlqUrl,
    notifications: stack.notifications,
    issuer: stack.identity.issuer,
    audience: stack.identity.audience,
    env: stack.env,
  });
  return async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
