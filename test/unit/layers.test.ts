import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The direction of the layers, read from the import lines of functions/**: the domain imports none of
 * the layers around it, use cases reach the world only through their ports (functions/app/ports.ts),
 * and adapters take nothing of app/ but those ports. Domain modules import each other without a cycle.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../functions');

interface Import {
  readonly from: string;
  /** path of the imported module relative to functions/, or undefined for a package or a file outside */
  readonly to: string | undefined;
  readonly typeOnly: boolean;
}

/** Every static `import … from`, `export … from` and side-effect import of a module, with where it points. */
function importsOf(file: string, source: string): Import[] {
  const found: Import[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gms;
  for (const m of source.matchAll(pattern)) {
    const specifier = m[4]!;
    const typeOnly = m[2] !== undefined;
    if (!specifier.startsWith('.')) {
      found.push({ from: file, to: undefined, typeOnly });
      continue;
    }
    const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
    found.push({ from: file, to: target.startsWith('..') ? undefined : target, typeOnly });
  }
  return found;
}

const layerOf = (path: string): string => (path.includes('/') ? path.slice(0, path.indexOf('/')) : path);

/** The imports that break the direction of the layers. */
function violations(imports: readonly Import[]): string[] {
  const wrong: string[] = [];
  for (const i of imports) {
    if (!i.to) continue;
    const from = layerOf(i.from);
    const to = layerOf(i.to);
    const line = `${i.from} imports ${i.to}`;
    if (from === 'domain' && ['app', 'adapters', 'http', 'handlers'].includes(to)) wrong.push(line);
    if (from === 'app' && ['adapters', 'handlers'].includes(to)) wrong.push(line);
    if (from === 'adapters' && to === 'app' && i.to !== 'app/ports.ts') wrong.push(line);
  }
  return wrong;
}

/** Each cycle among the modules of one layer, as the path that closes it. */
function cyclesWithin(layer: string, imports: readonly Import[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const i of imports) {
    if (!i.to || layerOf(i.from) !== layer || layerOf(i.to) !== layer) continue;
    edges.set(i.from, [...(edges.get(i.from) ?? []), i.to]);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, 'open');
    path.push(node);
    for (const next of edges.get(node) ?? []) visit(next);
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort()) visit(node);
  return cycles;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const all = sources(root).flatMap((path) => importsOf(relative(root, path).split('\\').join('/'), readFileSync(path, 'utf8')));

describe('the direction of the layers', () => {
  it('reads the import lines of every module, multi-line and type-only ones included', () => {
    const source = `import { a } from './b.js';\nimport type {\n  C,\n  D,\n} from '../app/ports.js';\nexport { e } from './e.js';\nimport 'side-effect';\n`;
    expect(importsOf('adapters/x.ts', source)).toEqual([
      { from: 'adapters/x.ts', to: 'adapters/b.ts', typeOnly: false },
      { from: 'adapters/x.ts', to: 'app/ports.ts', typeOnly: true },
      { from: 'adapters/x.ts', to: 'adapters/e.ts', typeOnly: false },
      { from: 'adapters/x.ts', to: undefined, typeOnly: false },
    ]);
    // the scan sees the modules it must judge
    expect(all.some((i) => i.from === 'app/workflow.ts' && i.to === 'app/ports.ts')).toBe(true);
    expect(all.some((i) => i.from === 'domain/workflow.ts' && i.to === 'domain/dossier.ts')).toBe(true);
  });

  it('tells a wrong import from a right one, and finds a cycle', () => {
    const edge = (from: string, to: string): Import => ({ from, to, typeOnly: false });
    expect(
      violations([edge('domain/a.ts', 'app/x.ts'), edge('domain/a.ts', 'http/route.ts'), edge('app/x.ts', 'adapters/y.ts'), edge('adapters/y.ts', 'app/dossiers.ts'), edge('adapters/y.ts', 'app/ports.ts'), edge('app/x.ts', 'domain/a.ts')]),
    ).toEqual(['domain/a.ts imports app/x.ts', 'domain/a.ts imports http/route.ts', 'app/x.ts imports adapters/y.ts', 'adapters/y.ts imports app/dossiers.ts']);
    expect(cyclesWithin('domain', [edge('domain/a.ts', 'domain/b.ts'), edge('domain/b.ts', 'domain/c.ts'), edge('domain/c.ts', 'domain/a.ts')])).toEqual([['domain/a.ts', 'domain/b.ts', 'domain/c.ts', 'domain/a.ts']]);
    expect(cyclesWithin('domain', [edge('domain/a.ts', 'domain/b.ts'), edge('domain/a.ts', 'domain/c.ts'), edge('domain/b.ts', 'domain/c.ts')])).toEqual([]);
  });

  it('keeps the domain free of use cases, adapters, HTTP and handlers; use cases free of adapters; adapters to the ports of app/', () => {
    expect(violations(all)).toEqual([]);
  });

  it('has no import cycle between domain modules (type-only imports count)', () => {
    expect(cyclesWithin('domain', all)).toEqual([]);
  });
});
