import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localCredentials, startLocalStack } from '../local/stack.js';
import { burstSubmissions, percentile } from '../test/support/burst.js';

/**
 * BENCH_BURST (default 1,000) concurrent submissions to one agency through the local HTTP API, on a
 * stack of its own: every one must be answered, codes contiguous, nothing stored behind a refusal.
 */
export async function benchBurst(): Promise<void> {
  const n = Number(process.env.BENCH_BURST ?? 1000);
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-bench-burst-'));
  // each refusal with Retry-After is a WARN line of the handler's (hundreds in a burst); the burst counts them itself
  process.env.LOG_LEVEL ??= 'ERROR';
  const stack = await startLocalStack({ dataDir, ports: { api: 0, dynamodb: 0, s3: 0, sqs: 0, ses: 0, sms: 0 }, quiet: true });
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials: localCredentials }));
  try {
    const result = await burstSubmissions({ apiUrl: stack.apiUrl, db, tableName: stack.tableName, submissions: n, runId: 'bench', progress: (line) => console.log(`  ${line}`) });
    const l = result.latencies;
    console.log(`  ${result.codes.size}/${n} submitted in ${result.seconds.toFixed(1)} s (${(result.codes.size / result.seconds).toFixed(1)}/s); answers by status ${JSON.stringify(result.statuses)}; ${result.retries} retried after Retry-After`);
    console.log(`  time to the final answer: p50 ${(percentile(l, 50) / 1000).toFixed(1)} s, p95 ${(percentile(l, 95) / 1000).toFixed(1)} s, max ${(percentile(l, 100) / 1000).toFixed(1)} s`);
    console.log(`  counter ${result.counter}, numbers without a dossier: ${result.holes.length}, refused but stored: ${result.refusedButStored.length}, unexpected answers: ${result.unexpected.length}`);
    const ok = result.codes.size === n && result.holes.length === 0 && result.refusedButStored.length === 0 && result.unexpected.length === 0;
    console.log(`burst: ${ok ? 'pass' : 'FAIL'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    db.destroy();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
