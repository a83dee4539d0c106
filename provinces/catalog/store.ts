import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { foldVietnamese } from '../../functions/domain/catalog.js';
import { readManifest } from '../../functions/adapters/catalog-store.js';
import type { Agency, Province, Service } from '../schema.js';
import { catalogFormat, catalogPaths, type CatalogEntry, type CatalogIndex, type CatalogManifest, type VersionedService } from './format.js';
import { readCsv, readImportFile } from './read.js';
import { readAgencySheet, readProcedureSheet, type Problem, type TierMapping } from './rows.js';

export interface ImportOptions {
  readonly file: string;
  /** a CSV of agencies (same columns as a workbook's agencies sheet) */
  readonly agenciesFile?: string;
  readonly province: Province;
  /** the catalog directory to write, e.g. provinces/catalogs/<id> */
  readonly outDir: string;
  readonly now: Date;
}

export type ImportResult =
  | { readonly ok: false; readonly problems: readonly Problem[] }
  | {
      readonly ok: true;
      readonly manifest: CatalogManifest;
      readonly added: number;
      readonly changed: number;
      readonly unchanged: number;
      readonly removed: number;
      /** procedures the province file defines, left as written there */
      readonly kept: readonly { line: number; id: string }[];
      /** rows of an abolished tier, imported under the tier that succeeded it */
      readonly mapped: readonly TierMapping[];
      readonly agenciesAdded: number;
    };

/** The content a version is judged on: everything but the version number, keys in a fixed order. */
function contentHash(service: Service): string {
  const { version: _ignored, ...content } = service;
  const canonical = JSON.stringify(content, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

function latestVersion(dir: string, id: string): number {
  const folder = join(dir, 'services', id);
  if (!existsSync(folder)) return 0;
  return Math.max(0, ...readdirSync(folder).map((f) => /^v(\d+)\.json$/.exec(f)?.[1]).filter((v): v is string => v !== undefined).map(Number));
}

export function entryOf(service: VersionedService): CatalogEntry {
  return {
    id: service.id,
    code: service.code,
    name: service.name,
    field: service.field,
    tier: service.tier,
    level: service.level,
    fullyOnline: service.fullyOnline,
    ...(service.notEligibleReason ? { notEligibleReason: service.notEligibleReason } : {}),
    processing: service.processing,
    ...(service.agencyIds ? { agencyIds: service.agencyIds } : {}),
    version: service.version,
    text: foldVietnamese(`${service.name} ${service.field} ${service.code}`),
  };
}

/**
 * Reads and checks the whole file first; only a file without a single problem is written, into a fresh
 * directory that then replaces the old one, so a failed or interrupted import leaves the catalog as it was.
 * Versions: a procedure whose content changed gets the next version number; earlier versions stay.
 */
export async function importCatalog(options: ImportOptions): Promise<ImportResult> {
  const { province, outDir } = options;
  const input = await readImportFile(options.file);
  const agencySheet = options.agenciesFile ? readCsv(options.agenciesFile, 'Cơ quan') : input.agencies;
  const previous = readManifest(outDir);
  if (previous && previous.provinceId !== province.id) {
    return { ok: false, problems: [{ sheet: outDir, line: 1, column: '', message: `holds the catalog of "${previous.provinceId}", not "${province.id}"` }] };
  }
  const agencies = agencySheet ? readAgencySheet(agencySheet, province, previous?.agencies ?? []) : { added: [] as Agency[], problems: [] };
  const withAgencies: Province = { ...province, agencies: [...province.agencies, ...agencies.added] };
  const procedures = readProcedureSheet(input.procedures, withAgencies);
  const problems = [...agencies.problems, ...procedures.problems];
  if (problems.length) return { ok: false, problems };

  const previousIndex = readJson<CatalogIndex>(join(outDir, catalogPaths.index));
  const previousIds = new Set(previousIndex?.entries.map((e) => e.id) ?? []);
  const tmp = join(dirname(outDir), `.${basename(outDir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(tmp), { recursive: true });
  if (existsSync(join(outDir, 'services'))) cpSync(join(outDir, 'services'), join(tmp, 'services'), { recursive: true });
  mkdirSync(join(tmp, 'services'), { recursive: true });

  let added = 0;
  let changed = 0;
  let unchanged = 0;
  const entries: CatalogEntry[] = [];
  const current = new Set<string>();
  for (const service of procedures.services) {
    current.add(service.id);
    const before = readJson<VersionedService>(join(outDir, catalogPaths.current(service.id)));
    let versioned: VersionedService;
    if (before && contentHash(before) === contentHash(service)) {
      versioned = before;
      unchanged += 1;
    } else {
      versioned = { ...service, version: latestVersion(outDir, service.id) + 1 };
      if (before || previousIds.has(service.id)) changed += 1;
      else added += 1;
      mkdirSync(join(tmp, 'services', service.id), { recursive: true });
      const text = JSON.stringify(versioned);
      writeFileSync(join(tmp, catalogPaths.version(service.id, versioned.version)), text);
      writeFileSync(join(tmp, catalogPaths.current(service.id)), text);
    }
    entries.push(entryOf(versioned));
  }
  // a procedure no longer published has no current version; its versions stay for its dossiers
  let removed = 0;
  for (const id of previousIds) {
    if (!current.has(id)) {
      removed += 1;
      rmSync(join(tmp, catalogPaths.current(id)), { force: true });
    }
  }
  const agenciesChanged = JSON.stringify(previous?.agencies ?? []) !== JSON.stringify(agencies.added);
  const revision = (previous?.revision ?? 0) + (added + changed + removed > 0 || agenciesChanged || !previous ? 1 : 0);
  const sha256 = createHash('sha256').update(readFileSync(options.file)).digest('hex');
  const manifest: CatalogManifest = {
    format: catalogFormat,
    provinceId: province.id,
    revision,
    importedAt: options.now.toISOString(),
    source: { file: basename(options.file), sha256, rows: procedures.services.length + procedures.kept.length },
    agencies: agencies.added,
    services: entries.length,
  };
  const index: CatalogIndex = { format: catalogFormat, revision, entries };
  writeFileSync(join(tmp, catalogPaths.index), JSON.stringify(index));
  writeFileSync(join(tmp, catalogPaths.manifest), `${JSON.stringify(manifest, null, 2)}\n`);

  const old = join(dirname(outDir), `.${basename(outDir)}.old-${process.pid}`);
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(tmp, outDir);
  rmSync(old, { recursive: true, force: true });
  return { ok: true, manifest, added, changed, unchanged, removed, kept: procedures.kept, mapped: procedures.mapped, agenciesAdded: agencies.added.length };
}
