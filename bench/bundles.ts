import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { consumers, routes } from '../functions/declaration.js';
import { bundleBudget } from '../lib/bundle-budgets.js';
import { bundleAliases, bundleSettings } from '../lib/bundling.js';
import { fromRoot } from '../lib/paths.js';

export interface BundleFigure {
  readonly id: string;
  readonly bytes: number;
  readonly budget: number;
  /** median module init of the bundle in fresh Node processes, ms */
  readonly importMs: number;
}

/** Init-time work needs the variables the cloud sets; none of these is contacted while importing. */
export const initEnvironment = {
  TABLE_NAME: 'motcua-bench',
  BUCKET_NAME: 'motcua-bench',
  PROVINCE_ID: 'lang-son',
  PROVINCE_FILE: fromRoot('provinces/lang-son.json'),
  QUEUE_URL_BASE: 'https://sqs.ap-southeast-1.amazonaws.com/000000000000',
  PUBLIC_BASE_URL: 'https://bench.invalid',
  AWS_REGION: 'ap-southeast-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_DEV: 'false',
};

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Imports one bundle in a new process and returns how long the import took. */
function importOnce(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...initEnvironment },
    encoding: 'utf8',
  });
  return Number(out);
}

/** Builds one function as the stack does (settings and aliases of lib/bundling.ts); the metafile names its inputs. */
export async function buildBundle(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({
    ...bundleSettings,
    mainFields: [...bundleSettings.mainFields],
    banner: { js: bundleSettings.banner },
    alias: Object.fromEntries(Object.entries(bundleAliases).map(([from, to]) => [from, fromRoot(to)])),
    entryPoints: [fromRoot(entry)],
    bundle: true,
    outfile,
    metafile: true,
    logLevel: 'error',
  });
  return result.metafile;
}

/** Builds every declared function as the stack does and measures its size and cold import. */
export async function benchBundles(progress: (line: string) => void, runs = 5): Promise<BundleFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-bundles-'));
  const figures: BundleFigure[] = [];
  try {
    const functions = [...routes, ...consumers].map((f) => ({ id: f.id, entry: f.entry }));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    for (const [i, fn] of functions.entries()) {
      const outfile = join(dir, `${fn.id}.mjs`);
      await buildBundle(fn.entry, outfile);
      const bytes = statSync(outfile).size;
      const importMs = median(Array.from({ length: runs }, () => importOnce(outfile)));
      const budget = bundleBudget(fn.id);
      figures.push({ id: fn.id, bytes, budget, importMs });
      progress(`bundles: ${i + 1}/${functions.length} ${fn.id} ${(bytes / 1024).toFixed(0)} KB, import ${importMs.toFixed(0)} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

export function bundleTable(figures: readonly BundleFigure[], initBudgetMs: number): string {
  const header = `${'function'.padEnd(22)} ${'KB'.padStart(6)} ${'budget'.padStart(7)} ${'import ms'.padStart(10)}  result`;
  const lines = figures.map((f) => {
    const ok = f.bytes <= f.budget && f.importMs <= initBudgetMs;
    return `${f.id.padEnd(22)} ${(f.bytes / 1024).toFixed(0).padStart(6)} ${(f.budget / 1024).toFixed(0).padStart(7)} ${f.importMs.toFixed(0).padStart(10)}  ${ok ? 'pass' : 'FAIL'}`;
  });
  return [header, ...lines].join('\n');
}
