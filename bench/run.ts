import { benchCatalog, formatCatalogSize, machine } from './catalog.js';
import { benchStats } from './stats.js';
import { benchBurst } from './burst.js';
import { benchBundles, bundleTable } from './bundles.js';
import { spawnSync } from 'node:child_process';
import { initBudgetMs } from '../lib/bundle-budgets.js';

// the functions' metric lines (EMF) would bury the bench's progress; the traffic run inherits this too
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/** `npm run bench`: each case starts and stops its own local stack. */
console.log(`bundles: every function built as the stack builds it, imported cold in fresh processes on ${machine()}`);
const bundles = await benchBundles((line) => console.log(line));
console.log(bundleTable(bundles, initBudgetMs));
console.log('stats: reading the province dashboard with 100 and with 100,000 dossiers');
const result = await benchStats();
console.log(`stats: ${result.small.toFixed(1)} ms → ${result.large.toFixed(1)} ms, ratio ${result.ratio.toFixed(2)} (near 1: reads do not grow with dossiers)`);

console.log(`burst: ${process.env.BENCH_BURST ?? 1000} concurrent submissions to one agency through the local HTTP API`);
await benchBurst();
console.log(`catalog: 2,000 procedures through GET /services on ${machine()}`);
const catalog = await benchCatalog((line) => console.log(line));
console.log(
  `catalog: GET /services?q= median ${catalog.searchMedianMs.toFixed(1)} ms, p95 ${catalog.searchP95Ms.toFixed(1)} ms (target ≤ 50 ms: ${catalog.searchMedianMs <= 50 ? 'pass' : 'FAIL'}); ` +
    `GET /services/{id} median ${catalog.detailMedianMs.toFixed(1)} ms; first search ${catalog.firstSearchMs.toFixed(1)} ms`,
);
console.log(formatCatalogSize(catalog.size));

// Intake and cost count every AWS request in a process of their own (bench/traffic.ts says why).
const traffic = spawnSync(process.execPath, ['--import', 'tsx', 'bench/traffic.ts'], { stdio: 'inherit', env: process.env });
if (traffic.status !== 0) process.exitCode = 1;
