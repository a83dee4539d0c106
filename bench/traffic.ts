import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../local/stack.js';
import { machine } from './catalog.js';
import { costReport, benchCost } from './cost.js';
import { benchIntake, intakeReport } from './intake.js';
import { Recorder } from './recorder.js';

/**
 * Intake and cost on one stack of their own, in a process of their own: the handlers' SDK clients are
 * created once per process (as in a Lambda container) and keep the endpoints of the first stack they
 * saw, and they must carry the counting middleware, which is attached only to clients created while
 * the recorder is registered. `npm run bench` runs this file as a child; `npx tsx bench/traffic.ts`
 * runs it alone.
 */
const recorder = new Recorder();
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-bench-traffic-'));
// refusals with Retry-After are logged as errors by the handlers; the bench counts them itself
process.env.LOG_LEVEL ??= 'CRITICAL';
// the functions' metric lines (EMF) would bury the bench's own; CloudWatch reads them in the cloud
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const stack = await startLocalStack({ dataDir, ports: { api: 0, dynamodb: 0, s3: 0, sqs: 0, ses: 0, sms: 0 }, quiet: true });
const say = (line: string) => console.log(`  ${line}`);
try {
  // the lifecycles first, on a stack with nothing pending, so that no other dossier's events are counted
  console.log(`cost: ${process.env.BENCH_LIFECYCLES ?? 20} dossier lifecycles through the local HTTP API, every AWS request counted`);
  for (const line of costReport(await benchCost(stack, recorder, say))) console.log(line);
  console.log(
    `intake: ${process.env.BENCH_INTAKE ?? 300} dossiers at concurrency ${process.env.BENCH_INTAKE_CONCURRENCY ?? 20} through the local HTTP API, then raw DynamoDB Local writes, on ${machine()}`,
  );
  for (const line of intakeReport(await benchIntake(stack, recorder, say))) console.log(line);
} finally {
  recorder.stop();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
