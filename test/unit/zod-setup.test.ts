import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fromRoot } from '../../lib/paths.js';

/** Every source file that goes into function bundles: the functions and the province schema they load with. */
const bundledSources = (): string[] => {
  const walk = (dir: string): string[] =>
    readdirSync(fromRoot(dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  return [...walk('functions'), 'provinces/schema.ts', 'provinces/load.ts'];
};

describe('the schema library of the function bundles', () => {
  test('is zod/mini: no bundled source imports classic zod', () => {
    // Act
    const classic = bundledSources().filter((file) => /from 'zod'/.test(readFileSync(fromRoot(file), 'utf8')));

    // Assess
    expect(classic).toEqual([]);
  });

  test('every module that uses zod/mini at run time sets up its English messages first', () => {
    // Act
    const unconfigured = bundledSources().filter((file) => {
      const code = readFileSync(fromRoot(file), 'utf8');
      return /^import \* as z from 'zod\/mini';/m.test(code) && !file.endsWith('zod-setup.ts') && !/zod-setup\.js';/.test(code);
    });

    // Assess
    expect(unconfigured).toEqual([]);
  });
});
