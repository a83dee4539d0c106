import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import type * as z from 'zod/mini';
import { provinceSchema, type Province } from './schema.js';

export class ProvinceFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly { path: string; message: string }[],
  ) {
    super(`${file}: ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
    this.name = 'ProvinceFileError';
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/** Path of the file for a province id, e.g. `lang-son` → provinces/lang-son.json */
export function provinceFilePath(id: string): string {
  if (!/^[a-z0-9-]+$/.test(id)) throw new ProvinceFileError(id, [{ path: 'province', message: 'a province id is lowercase letters, digits and hyphens' }]);
  return join(here, `${id}.json`);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** Validates parsed JSON; problems name the field path and the rule broken. */
export function parseProvince(data: unknown, file: string): Province {
  const result = provinceSchema.safeParse(data);
  if (!result.success) {
    throw new ProvinceFileError(
      file,
      result.error.issues.map((i: z.core.$ZodIssue) => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  return result.data;
}

export function loadProvinceFile(file: string): Province {
  const shown = relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProvinceFileError(shown, [{ path: '', message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ProvinceFileError(shown, [{ path: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  return parseProvince(data, shown);
}

export function loadProvince(id: string): Province {
  return loadProvinceFile(provinceFilePath(id));
}
