import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { environment } from '../functions/declaration.js';
import { nationalSyncDeps } from '../functions/adapters/national-deps.js';
import { reconcile, type ReconcileReport } from '../functions/app/national-sync.js';
import { localCredentials, localRegion } from './stack.js';
import { resourceNames } from './resources.js';

/**
 * `npm run dvcqg -- check [--dry-run]`: the dossiers whose last status synced to the national portal is
 * not their real one, sent again (only listed with --dry-run), and the share in sync.
 *
 * Locally it reads the running `npm start` (MOTCUA_DATA_DIR, MOTCUA_DYNAMODB_PORT, MOTCUA_PROVINCE as
 * for npm start). Against a deployed stack set TABLE_NAME and DVCQG_SECRET_ID (and the usual AWS
 * credentials); the cloud also runs the same check every hour (ReconcileNational).
 */
const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });

if (positionals[0] !== 'check') {
  console.error('usage: npm run dvcqg -- check [--dry-run] [--json]');
  process.exit(1);
}

if (!process.env[environment.tableName]) {
  const province = process.env.MOTCUA_PROVINCE ?? 'lang-son';
  const dataDir = resolve(process.env.MOTCUA_DATA_DIR ?? '.motcua');
  Object.assign(process.env, {
    [environment.tableName]: resourceNames(province).table,
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${process.env.MOTCUA_DYNAMODB_PORT ?? '8000'}`,
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    DVCQG_CONFIG_FILE: process.env.DVCQG_CONFIG_FILE ?? join(dataDir, 'dvcqg.json'),
  });
}

export function printReport(report: ReconcileReport, resend: boolean): string[] {
  const lines = [`${report.checked} dossiers behind the national portal by the sync state; ${report.divergent.length} differ from the real dossier`];
  for (const d of report.divergent) {
    lines.push(`  ${d.code}: status ${d.status} (v${d.version}), portal has ${d.syncedStatus ?? 'nothing'}${d.syncedVersion ? ` (v${d.syncedVersion})` : ''}${d.lastError ? ` — last error: ${d.lastError}` : ''}`);
  }
  if (resend) lines.push(`resent ${report.resent}, failed ${report.failed.length}${report.failed.map((f) => `\n  ${f.code}: ${f.error}`).join('')}`);
  lines.push(`in sync: ${report.shareInSync ?? '–'}% of ${report.dossiers} dossiers (${report.unsyncedAfter} behind)`);
  return lines;
}

try {
  const deps = await nationalSyncDeps();
  if (!deps.portal) console.error('national portal credentials not found: listing only');
  const resend = !values['dry-run'] && deps.portal !== undefined;
  const report = await reconcile(deps, { resend });
  console.log(values.json ? JSON.stringify(report, null, 2) : printReport(report, resend).join('\n'));
  process.exit(report.failed.length > 0 ? 2 : 0);
} catch (err) {
  console.error(`npm run dvcqg: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
