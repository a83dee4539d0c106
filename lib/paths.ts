import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Entries in the declaration and province files are named relative to the repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export function fromRoot(path: string): string {
  return join(repoRoot, path);
}

/** POSIX path relative to the root, as bundling commands (run with the root as input dir) need it. */
export function rootRelative(path: string): string {
  return relative(repoRoot, path).split('\\').join('/');
}
