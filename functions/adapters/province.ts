import { loadProvinceFile } from '../../provinces/load.js';
import type { Province } from '../../provinces/schema.js';
import { environment } from '../declaration.js';
import { requiredEnv } from './clients.js';

/**
 * The province file ships inside each function bundle (the local runtime points at provinces/<id>.json).
 * It is read and validated once per container; a file that does not validate fails the cold start loudly.
 */
let cached: { file: string; province: Province } | undefined;

export function currentProvince(): Province {
  const file = requiredEnv(environment.provinceFile);
  if (cached?.file !== file) cached = { file, province: loadProvinceFile(file) };
  return cached.province;
}
