import { fileURLToPath } from 'node:url';
import type { Agency, CatalogSearchEntry, Service } from '../schema.js';

/**
 * The layout of an imported catalog on disk, shared by the importer that writes it and the function
 * adapter that reads it. One directory per province:
 *
 *   manifest.json                 revision, source file, the agencies the import added (small: ~200 rows)
 *   index.json                    one compact entry per current procedure: what a search and a list need
 *   services/<id>/current.json    the current version of one procedure (form, documents, fees)
 *   services/<id>/v<n>.json       every version ever published, immutable: dossiers keep theirs
 *
 * A request reads the one or two small files it needs; nothing reads every procedure at a cold start.
 */
export const catalogFormat = 1;

export interface CatalogManifest {
  readonly format: typeof catalogFormat;
  readonly provinceId: string;
  /** grows by one at every import that changes anything */
  readonly revision: number;
  readonly importedAt: string;
  readonly source: { readonly file: string; readonly sha256: string; readonly rows: number };
  /** agencies named by the import that the province file does not have */
  readonly agencies: readonly Agency[];
  readonly services: number;
}

/** A procedure as a search sees it: the list view plus the folded text words are matched against. */
export type CatalogEntry = CatalogSearchEntry;

export interface CatalogIndex {
  readonly format: typeof catalogFormat;
  readonly revision: number;
  readonly entries: readonly CatalogEntry[];
}

/** A stored procedure version: the province-file shape plus its version number. */
export type VersionedService = Service & { readonly version: number };

export const catalogPaths = {
  manifest: 'manifest.json',
  index: 'index.json',
  current: (id: string) => `services/${id}/current.json`,
  version: (id: string, version: number) => `services/${id}/v${version}.json`,
} as const;

/** Where `npm run catalog -- import` writes a province's catalog by default, and where runtimes look for it. */
export function defaultCatalogDir(provinceId: string): string {
  return fileURLToPath(new URL(`../catalogs/${provinceId}`, import.meta.url));
}
