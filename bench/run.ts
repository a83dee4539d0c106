import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCatalog, formatCatalogSize, machine } from './catalog.js';
import { benchStats } from './stats.js';
import { benchBurst } from './burst.js';
import { benchBundles, bundleTable } from './bundles.js';
import { initBudgetMs } from '../lib/bundle-budgets.js';

// the functions' metric lines (EMF) would bury the bench's progress; the child runs inherit this too
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/**
 * The cases that start a local stack, each run in a process of its own: the handlers run in-process and
 * keep what they created on first use (the signed clients and the endpoints they were given, as a Lambda
 * container does), so a second stack in the same process would be called at the first one's ports.
 */
const cases: Readonly<Record<string, () => Promise<void>>> = {
  async stats() {
    console.log('stats: reading the province dashboard with 100 and with 100,000 dossiers');
    const result = await benchStats();
    console.log(`stats: ${result.small.toFixed(1)} ms → ${result.large.toFixed(1)} ms, ratio ${result.ratio.toFixed(2)} (near 1: reads do not grow with dossiers)`);
  },
  async burst() {
    console.log(`burst: ${process.env.BENCH_BURST ?? 1000} concurrent submissions to one agency through the local HTTP API`);
    await benchBurst();
  },
  async catalog() {
    console.log(`catalog: 2,000 procedures through GET /services on ${machine()}`);
    const catalog = await benchCatalog((line) => console.log(line));
    console.log(
      `catalog: GET /services?q= median ${catalog.searchMedianMs.toFixed(1)} ms, p95 ${catalog.searchP95Ms.toFixed(1)} ms (target ≤ 50 ms: ${catalog.searchMedianMs <= 50 ? 'pass' : 'FAIL'}); ` +
        `GET /services/{id} median ${catalog.detailMedianMs.toFixed(1)} ms; first search ${catalog.firstSearchMs.toFixed(1)} ms`,
    );
    console.log(formatCatalogSize(catalog.size));
  },
};

/** A case that has not finished in this time is stopped and counted as failed, so that the run still ends. */
const CASE_TIMEOUT_MS = 30 * 60_000;
const here = dirname(fileURLToPath(import.meta.url));
const child = (file: string, ...args: string[]): boolean => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, file), ...args], { stdio: 'inherit', env: process.env, cwd: join(here, '..'), timeout: CASE_TIMEOUT_MS });
  if (run.error) console.log(`bench: ${file} ${args.join(' ')} did not finish: ${run.error.message}`);
  return run.status === 0;
};

const only = process.argv[2];
if (only !== undefined) {
  const run = cases[only];
  if (!run) throw new Error(`unknown bench case ${only}; one of ${Object.keys(cases).join(', ')}`);
  await run();
} else {
  /** `npm run bench`: the bundles here, then each case that needs a stack in a child process. */
  console.log(`bundles: every function built as the stack builds it, imported cold in fresh processes on ${machine()}`);
  let ok = true;
  try {
    const bundles = await benchBundles((line) => console.log(line));
    console.log(bundleTable(bundles, initBudgetMs));
  } catch (err) {
    console.log(`bundles: FAIL ${(err as Error).message}`);
    ok = false;
  }
  for (const name of Object.keys(cases)) ok = child('run.ts', name) && ok;
  // intake and cost count every AWS request in a process of their own (bench/traffic.ts says why)
  ok = child('traffic.ts') && ok;
  if (!ok) process.exitCode = 1;
}
