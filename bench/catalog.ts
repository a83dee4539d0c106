import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeGeneratedWorkbook } from '../provinces/catalog/generate.js';
import { importCatalog } from '../provinces/catalog/store.js';
import { loadProvince } from '../provinces/load.js';
import { startLocalStack } from '../local/stack.js';

/**
 * A province-sized catalog through the local HTTP API: 2,000 procedures and 200 agencies generated in
 * the export layout, imported, then `GET /services?q=` with and without accents and `GET /services/{id}`,
 * each request timed end to end (HTTP, the API Gateway event, the handler). Target: median ≤ 50 ms.
 */
const ROUNDS = 30;
const queries = ['giay phep xay dung', 'giấy phép xây dựng', 'ho tich', 'khai sinh', 'moi truong nuoc', 'dang ky', '1.000123'];

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** What the import wrote, as a deployment ships it in every bundle: counts, and the bytes a request may read. */
export interface CatalogSize {
  readonly procedures: number;
  readonly byTier: Record<string, number>;
  readonly agencies: number;
  readonly indexBytes: number;
  readonly procedureBytesMedian: number;
  readonly procedureBytesMax: number;
  /** every file under services/ (current and versions) plus the index and manifest */
  readonly totalBytes: number;
}

export function catalogSize(catalogDir: string, agencies: number): CatalogSize {
  const index = JSON.parse(readFileSync(join(catalogDir, 'index.json'), 'utf8')) as { entries: { tier: string }[] };
  const byTier: Record<string, number> = {};
  for (const e of index.entries) byTier[e.tier] = (byTier[e.tier] ?? 0) + 1;
  const ids = readdirSync(join(catalogDir, 'services'));
  const current = ids.map((id) => statSync(join(catalogDir, 'services', id, 'current.json')).size);
  const all = ids.flatMap((id) => readdirSync(join(catalogDir, 'services', id)).map((f) => statSync(join(catalogDir, 'services', id, f)).size));
  const indexBytes = statSync(join(catalogDir, 'index.json')).size;
  return {
    procedures: index.entries.length,
    byTier,
    agencies,
    indexBytes,
    procedureBytesMedian: percentile(current, 50),
    procedureBytesMax: Math.max(...current),
    totalBytes: all.reduce((a, b) => a + b, 0) + indexBytes + statSync(join(catalogDir, 'manifest.json')).size,
  };
}

export function formatCatalogSize(size: CatalogSize): string {
  const tiers = Object.entries(size.byTier)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tier, n]) => `${tier} ${n}`)
    .join(', ');
  return (
    `catalog size: ${size.procedures} procedures (${tiers}), ${size.agencies} agencies; index ${(size.indexBytes / 1024).toFixed(0)} KiB; ` +
    `procedure file median ${size.procedureBytesMedian} B, largest ${size.procedureBytesMax} B; ${(size.totalBytes / 1024 / 1024).toFixed(2)} MiB in all`
  );
}

export interface CatalogBench {
  readonly importMs: number;
  readonly firstSearchMs: number;
  readonly searchMedianMs: number;
  readonly searchP95Ms: number;
  readonly detailMedianMs: number;
  readonly indexBytes: number;
  readonly procedureBytesMax: number;
  readonly size: CatalogSize;
}

export async function benchCatalog(log: (line: string) => void): Promise<CatalogBench> {
  const work = mkdtempSync(join(tmpdir(), 'motcua-bench-catalog-'));
  const province = loadProvince('lang-son');
  try {
    const file = join(work, 'generated.xlsx');
    log('catalog: generating 2,000 procedures and 200 agencies (xlsx, export layout)…');
    await writeGeneratedWorkbook(file, { province, procedures: 2000, agencies: 200 });
    const catalogDir = join(work, 'catalog');
    log('catalog: importing…');
    const t0 = performance.now();
    const result = await importCatalog({ file, province, outDir: catalogDir, now: new Date() });
    const importMs = performance.now() - t0;
    if (!result.ok) throw new Error(`import failed: ${result.problems.length} problems`);
    const size = catalogSize(catalogDir, province.agencies.length + result.agenciesAdded);
    const { indexBytes, procedureBytesMax } = size;
    log(`catalog: imported in ${importMs.toFixed(0)} ms`);
    log(formatCatalogSize(size));

    log('catalog: starting a local stack with it (231 agency queues)…');
    const stack = await startLocalStack({ dataDir: join(work, 'data'), ports: { api: 0, dynamodb: 0, s3: 0, sqs: 0 }, quiet: true, consumers: false, catalogDir });
    try {
      const get = async (path: string) => {
        const start = performance.now();
        const response = await fetch(`${stack.apiUrl}${path}`);
        const body = (await response.json()) as { total?: number };
        if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
        return { ms: performance.now() - start, total: body.total };
      };
      const first = await get(`/services?q=${encodeURIComponent(queries[0]!)}`);
      log(`catalog: first search (reads the index) ${first.ms.toFixed(1)} ms, ${first.total} matches`);
      const search: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const q of queries) search.push((await get(`/services?q=${encodeURIComponent(q)}`)).ms);
        if ((round + 1) % 10 === 0) log(`catalog: ${(round + 1) * queries.length} searches…`);
      }
      const ids = JSON.parse(readFileSync(join(catalogDir, 'index.json'), 'utf8')).entries.slice(0, 200).map((e: { id: string }) => e.id) as string[];
      const detail: number[] = [];
      for (const id of ids) detail.push((await get(`/services/${id}`)).ms);
      return {
        importMs,
        firstSearchMs: first.ms,
        searchMedianMs: percentile(search, 50),
        searchP95Ms: percentile(search, 95),
        detailMedianMs: percentile(detail, 50),
        indexBytes,
        procedureBytesMax,
        size,
      };
    } finally {
      await stack.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const machine = () => `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
