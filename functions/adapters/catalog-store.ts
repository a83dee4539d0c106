import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogFormat, catalogPaths, type CatalogIndex, type CatalogManifest, type VersionedService } from '../../provinces/catalog/format.js';
import { agencySchema, type Agency, type CatalogSearchEntry, type Province, type ServiceCatalog } from '../../provinces/schema.js';

/**
 * Reads an imported catalog from its directory (shipped inside the function bundle, or the repository
 * locally). A procedure is one small file read when first asked for and kept; the search index is read
 * on the first search. The files were validated by the import, so they are parsed, not re-validated.
 */
export class FileCatalog implements ServiceCatalog {
  private readonly services = new Map<string, VersionedService | null>();
  private index: CatalogIndex | undefined;

  constructor(readonly dir: string) {}

  get(id: string, version?: number): VersionedService | undefined {
    // ids come from requests: only the catalog's own id shape may become a path
    if (!/^[a-z0-9.-]{1,40}$/.test(id) || id.startsWith('.') || (version !== undefined && !Number.isInteger(version))) return undefined;
    const key = version === undefined ? id : `${id}@${version}`;
    if (!this.services.has(key)) {
      const file = version === undefined ? catalogPaths.current(id) : catalogPaths.version(id, version);
      this.services.set(key, readJson<VersionedService>(join(this.dir, file)) ?? null);
      // current versions change only with a new deployment; a container never holds more than it served
      if (this.services.size > 5000) this.services.clear();
    }
    return this.services.get(key) ?? undefined;
  }

  entries(): readonly CatalogSearchEntry[] {
    this.index ??= readJson<CatalogIndex>(join(this.dir, catalogPaths.index)) ?? { format: catalogFormat, revision: 0, entries: [] };
    return this.index.entries;
  }
}

function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

export function readManifest(dir: string): CatalogManifest | undefined {
  const manifest = readJson<CatalogManifest>(join(dir, catalogPaths.manifest));
  if (manifest && manifest.format !== catalogFormat) throw new Error(`${dir}: catalog format ${String(manifest.format)}, this code reads ${catalogFormat}`);
  return manifest;
}

/**
 * The province file plus its imported catalog: the agencies the import added (checked here, they are
 * few) and a reader for the procedures. Without a catalog directory the province is returned unchanged.
 */
export function withCatalog(province: Province, dir: string | undefined): Province {
  if (!dir) return province;
  const manifest = readManifest(dir);
  if (!manifest) return province;
  if (manifest.provinceId !== province.id) throw new Error(`${dir}: a catalog of "${manifest.provinceId}", not of "${province.id}"`);
  const known = new Set(province.agencies.map((a) => a.id));
  const added: Agency[] = manifest.agencies.filter((a) => !known.has(a.id)).map((a) => agencySchema.parse(a));
  return { ...province, agencies: [...province.agencies, ...added], catalog: new FileCatalog(dir) };
}
