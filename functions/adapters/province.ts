import { loadProvinceFile } from '../../provinces/load.js';
import type { Province } from '../../provinces/schema.js';
import { environment } from '../declaration.js';
import { requiredEnv } from './env.js';
import { withCatalog } from './catalog-store.js';

/**
 * The province file ships inside each function bundle (the local runtime points at provinces/<id>.json).
 * It is read and validated once per container; a file that does not validate fails the cold start loudly.
 */
let cached: { file: string; catalogDir: string | undefined; province: Province } | undefined;

export function currentProvince(): Province {
  const file = requiredEnv(environment.provinceFile);
  // An imported catalog adds its agencies here; its procedures are read one at a time when asked for.
  const catalogDir = process.env[environment.catalogDir] || undefined;
  if (cached?.file !== file || cached.catalogDir !== catalogDir) cached = { file, catalogDir, province: withCatalog(loadProvinceFile(file), catalogDir) };
  return cached.province;
}
