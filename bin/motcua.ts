import { App } from 'aws-cdk-lib';
import { addMotcua } from '../lib/app.js';
import { isStageName } from '../lib/stage.js';
import { loadProvince, ProvinceFileError } from '../provinces/load.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { withCatalog } from '../functions/adapters/catalog-store.js';
import { defaultCatalogDir } from '../provinces/catalog/format.js';
import { rootRelative } from '../lib/paths.js';
import { alarmEmailContext } from '../lib/operations.js';

/**
 * `cdk synth -c province=<id> [-c stage=dev]`. Nothing here looks anything up in an AWS account: the stack is
 * environment-agnostic, so synthesis works offline and without credentials.
 */
function fail(lines: readonly string[]): never {
  console.error(['', ...lines, ''].join('\n'));
  process.exit(1);
}

const app = new App();
const provinceContext: unknown = app.node.tryGetContext('province');
const stageContext: unknown = app.node.tryGetContext('stage') ?? 'prod';
if (typeof provinceContext !== 'string' || provinceContext === '') {
  fail(['motcua: no province given. Use: cdk synth -c province=<id>  (a file provinces/<id>.json)']);
}
if (!isStageName(stageContext)) {
  fail([`motcua: unknown stage "${String(stageContext)}"; use -c stage=prod (default) or -c stage=dev`]);
}

try {
  // an imported catalog: -c catalog=<dir>, else provinces/catalogs/<id> when an import has written it
  const catalogContext: unknown = app.node.tryGetContext('catalog');
  const catalogDir = typeof catalogContext === 'string' && catalogContext ? resolve(catalogContext) : defaultCatalogDir(provinceContext);
  if (typeof catalogContext === 'string' && catalogContext && !existsSync(catalogDir)) fail([`motcua: catalog directory ${catalogDir} does not exist`]);
  const withImported = existsSync(catalogDir);
  const province = withImported ? withCatalog(loadProvince(provinceContext), catalogDir) : loadProvince(provinceContext);
  const alarmEmail = alarmEmailContext(app.node.tryGetContext('alarmEmail'));
  addMotcua(app, { province, stage: stageContext, ...(withImported ? { catalogDir: rootRelative(catalogDir) } : {}), ...(alarmEmail ? { alarmEmail } : {}) });
} catch (err) {
  if (err instanceof ProvinceFileError) {
    fail([
      `motcua: cannot synthesize province "${provinceContext}"; problems in ${err.file}:`,
      ...err.problems.map((p) => `  - ${p.path || '(file)'}: ${p.message}`),
    ]);
  }
  throw err;
}
