import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProvince, ProvinceFileError } from '../load.js';
import { defaultCatalogDir } from './format.js';
import { writeGeneratedWorkbook } from './generate.js';
import { UnreadableFile } from './read.js';
import { formatMapping, formatProblem, importDefaults } from './rows.js';
import { importCatalog } from './store.js';

/**
 * `npm run catalog -- import <file.xlsx|file.csv> [--province <id>] [--agencies <agencies.csv>] [--out <dir>]`
 * `npm run catalog -- generate [--procedures 2000] [--agencies 200] [--province <id>] [--out <file.xlsx>]`
 */

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    province: { type: 'string', default: process.env.MOTCUA_PROVINCE ?? 'lang-son' },
    agencies: { type: 'string' },
    procedures: { type: 'string' },
    out: { type: 'string' },
  },
});
const [command, file] = positionals;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

try {
  const province = loadProvince(values.province!);
  if (command === 'import') {
    if (!file) fail('usage: npm run catalog -- import <file.xlsx|file.csv> [--province <id>] [--agencies <agencies.csv>] [--out <dir>]');
    const outDir = resolve(values.out ?? defaultCatalogDir(province.id));
    const result = await importCatalog({ file, province, outDir, now: new Date(), ...(values.agencies ? { agenciesFile: values.agencies } : {}) });
    if (!result.ok) {
      for (const p of result.problems.slice(0, 100)) console.error(formatProblem(file, p));
      if (result.problems.length > 100) console.error(`… and ${result.problems.length - 100} more`);
      fail(`${result.problems.length} problem(s): nothing was written`);
    }
    const m = result.manifest;
    console.log(`${province.name}: catalog revision ${m.revision} in ${outDir}`);
    console.log(`  ${m.services} procedures: ${result.added} new, ${result.changed} new versions, ${result.unchanged} unchanged, ${result.removed} withdrawn`);
    console.log(`  ${result.agenciesAdded} agencies besides the province file's ${province.agencies.length}`);
    for (const m of result.mapped.slice(0, 100)) console.log(`  ${formatMapping(file, m)}`);
    if (result.mapped.length > 100) console.log(`  … and ${result.mapped.length - 100} more rows of an abolished tier, mapped the same way`);
    for (const k of result.kept) console.log(`  line ${k.line}: ${k.id} is written in the province file; that entry (with its form) is kept`);
    console.log(`  set by the import, not by the file: ${importDefaults}`);
  } else if (command === 'generate') {
    const out = resolve(values.out ?? `catalog-${province.id}-generated.xlsx`);
    const procedures = Number(values.procedures ?? 2000);
    const agencies = Number(values.agencies ?? 200);
    await writeGeneratedWorkbook(out, { province, procedures, agencies });
    console.log(`${out}: ${procedures} procedures, ${agencies} agencies`);
  } else {
    fail('usage: npm run catalog -- import <file> | generate   (see README, "A province\'s catalog")');
  }
} catch (err) {
  if (err instanceof ProvinceFileError || err instanceof UnreadableFile) fail(err.message);
  throw err;
}
