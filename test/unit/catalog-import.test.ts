import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCatalog, withCatalog } from '../../functions/adapters/catalog-store.js';
import { filterCatalogEntries, findService } from '../../functions/domain/catalog.js';
import { catalogFigures } from '../../functions/domain/statistics.js';
import { newDossier, validateSubmission } from '../../functions/domain/dossier.js';
import { writeGeneratedWorkbook } from '../../provinces/catalog/generate.js';
import { formatProblem } from '../../provinces/catalog/rows.js';
import { importCatalog } from '../../provinces/catalog/store.js';
import { loadProvince } from '../../provinces/load.js';
import { fromRoot } from '../../lib/paths.js';

const province = loadProvince('lang-son');
const work = mkdtempSync(join(tmpdir(), 'motcua-catalog-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sample = fromRoot('provinces/samples/lang-son-tthc.csv');
const sampleAgencies = fromRoot('provinces/samples/lang-son-co-quan.csv');
const now = new Date('2026-12-01T03:00:00Z');

const header = 'STT,Mã thủ tục,Tên thủ tục,Lĩnh vực,Cấp thực hiện,Cơ quan thực hiện,Mức độ,Lý do chưa cung cấp toàn trình,Thời hạn giải quyết,"Phí, lệ phí",Thành phần hồ sơ';
function csv(name: string, ...rows: string[]): string {
  const file = join(work, name);
  writeFileSync(file, [header, ...rows].join('\n'));
  return file;
}

describe('importing the shipped sample (CSV in the export layout)', () => {
  it('writes every procedure it does not already have, with the agencies file, and keeps the province file as written', async () => {
    // Prepare
    const outDir = join(work, 'sample');

    // Act
    const result = await importCatalog({ file: sample, agenciesFile: sampleAgencies, province, outDir, now });

    // Assess
    if (!result.ok) throw new Error(result.problems.map((p) => formatProblem('sample', p)).join('\n'));
    expect(result.manifest.services).toBe(8);
    expect(result.kept.map((k) => k.id)).toEqual(['2.000488', '1.004249']);
    expect(result.manifest.agencies).toEqual([{ id: 'so-noi-vu', code: '000.00.18.H37', name: 'Sở Nội vụ tỉnh Lạng Sơn', tier: 'province' }]);
    const merged = withCatalog(province, outDir);
    expect(merged.agencies).toHaveLength(province.agencies.length + 1);
    // a hand-written procedure still answers from the province file, an imported one from its own file
    expect(findService(merged, '2.000488').fields.length).toBeGreaterThan(0);
    const water = findService(merged, '1.004492');
    expect(water).toMatchObject({
      agencyIds: ['so-tai-nguyen-va-moi-truong'],
      level: 3,
      fullyOnline: false,
      processing: { amount: 30, unit: 'working-days' },
      fees: [
        { name: 'Phí thẩm định đề án khai thác', amountVnd: 600000 },
        { name: 'Lệ phí cấp giấy phép', amountVnd: 150000 },
      ],
      version: 1,
    });
    expect(water.documents.map((d) => d.name)).toEqual(['Đơn đề nghị cấp giấy phép', 'Đề án khai thác nước dưới đất', 'Kết quả phân tích chất lượng nguồn nước']);
    // "ngày" alone is a calendar day; "(nếu có)" makes a component optional; "UBND cấp xã" means every commune
    expect(findService(merged, '2.000190').processing).toEqual({ amount: 30, unit: 'calendar-days' });
    const marriage = findService(merged, '1.000593');
    expect(marriage.documents.map((d) => d.required)).toEqual([true, false]);
    expect(marriage.agencyIds).toBeUndefined();
    expect(filterCatalogEntries(merged, { text: 'giay phep lai xe', tier: 'province' }).map((e) => e.id)).toEqual(['1.002809']);
    expect(filterCatalogEntries(merged, { agencyId: 'so-noi-vu' }).map((e) => e.id)).toEqual(['2.000190']);
    expect(catalogFigures(merged).services).toBe(province.services.length + 8);
    // the row that still says "Cấp Huyện" / "UBND cấp huyện" is imported under the communes, and reported
    expect(findService(merged, '2.000720')).toMatchObject({ tier: 'commune' });
    expect(findService(merged, '2.000720').agencyIds).toBeUndefined();
    expect(result.mapped).toEqual([{ sheet: 'CSV', line: expect.any(Number), column: 'E', id: '2.000720', from: 'district', to: 'commune' }]);
    expect(catalogFigures(merged).byTier.district).toBeUndefined();
  });

  it('reads an unchanged file again without a new revision, and a changed row as a new version that old dossiers still find', async () => {
    const outDir = join(work, 'versions');
    const first = csv('v1.csv', '1,1.004492,Cấp giấy phép khai thác nước dưới đất,Tài nguyên nước,Cấp Tỉnh,Sở Tài nguyên và Môi trường,Toàn trình,,30 ngày làm việc,Không,Đơn đề nghị');
    const r1 = await importCatalog({ file: first, province, outDir, now });
    const again = await importCatalog({ file: first, province, outDir, now });
    const second = csv('v2.csv', '1,1.004492,Cấp giấy phép khai thác nước dưới đất,Tài nguyên nước,Cấp Tỉnh,Sở Tài nguyên và Môi trường,Toàn trình,,20 ngày làm việc,Không,Đơn đề nghị');
    const r2 = await importCatalog({ file: second, province, outDir, now });

    expect(r1.ok && again.ok && r2.ok).toBe(true);
    if (!r1.ok || !again.ok || !r2.ok) return;
    expect([r1.manifest.revision, again.manifest.revision, r2.manifest.revision]).toEqual([1, 1, 2]);
    expect([again.unchanged, r2.changed]).toEqual([1, 1]);
    const catalog = new FileCatalog(outDir);
    expect(catalog.get('1.004492')).toMatchObject({ version: 2, processing: { amount: 20 } });
    expect(catalog.get('1.004492', 1)).toMatchObject({ version: 1, processing: { amount: 30 } });
    expect(catalog.get('../manifest')).toBeUndefined();
    // a dossier records the version it is submitted under, and later steps read that one
    const merged = withCatalog(province, outDir);
    const valid = validateSubmission(merged, { serviceId: '1.004492', applicant: { fullName: 'A', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' }, fields: {}, channel: 'online' });
    const dossier = newDossier({ ...valid, code: '000.00.13.H37-261201-0001', applicantSubject: 'x', at: now });
    expect(dossier.serviceVersion).toBe(2);
    expect(findService(merged, dossier.serviceId, 1).processing.amount).toBe(30);
  });
});

describe('a file with problems', () => {
  it('reports each with its line and column and writes nothing', async () => {
    // Prepare: a catalog already in place must stay exactly as it was
    const outDir = join(work, 'untouched');
    const good = csv('good.csv', '1,1.004492,Cấp giấy phép,Tài nguyên nước,Cấp Tỉnh,Sở Tài nguyên và Môi trường,Toàn trình,,30 ngày làm việc,Không,Đơn đề nghị');
    await importCatalog({ file: good, province, outDir, now });
    const before = readFileSync(join(outDir, 'index.json'), 'utf8');
    const bad = csv(
      'bad.csv',
      '1,1.000001,Thủ tục một,Hộ tịch,Cấp Tỉnh,Sở Tư pháp,Toàn trình,,10 ngày làm việc,Không,Tờ khai',
      '2,12345,Thủ tục hai,Hộ tịch,Cấp Tỉnh,Sở Không Có,Một phần,,mười ngày,Lệ phí: 0.5% giá trị,Tờ khai',
      '3,1.000001,Thủ tục ba,Hộ tịch,Cấp Vùng,Sở Tư pháp,Mức độ 9,,5 ngày,Không,Tờ khai',
      '4,1.000004,Thủ tục bốn,Hộ tịch,Cấp Tỉnh,Sở Tư pháp,Một phần,,5 ngày,Không,Tờ khai',
    );

    // Act
    const result = await importCatalog({ file: bad, province, outDir, now });

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = result.problems.map((p) => `${p.column}${p.line}`);
    expect(lines).toEqual(['B3', 'F3', 'I3', 'J3', 'B4', 'E4', 'G4', 'H5']);
    expect(formatProblem('bad.csv', result.problems[1]!)).toBe(
      'bad.csv: CSV!F3 (Cơ quan thực hiện): unknown agency "Sở Không Có": add it to the agencies sheet or the province file',
    );
    expect(result.problems.at(-1)!.message).toBe('required when level is below 4');
    expect(readFileSync(join(outDir, 'index.json'), 'utf8')).toBe(before);
    expect(readdirSync(join(outDir, 'services'))).toEqual(['1.004492']);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses what belongs to the abolished district tier and cannot be mapped, naming the cell', async () => {
    // Prepare: a named district People's Committee, a generic name of one tier on a row of another,
    // a district agency in the agencies sheet, and a province whose abolished tier names no successor
    const agenciesFile = join(work, 'district-agencies.csv');
    writeFileSync(agenciesFile, 'Mã định danh,Tên cơ quan,Cấp\n000.99.01.H37,Ủy ban nhân dân huyện Mới,Cấp huyện\n');
    const file = csv(
      'district.csv',
      '1,1.000011,Thủ tục một,Hộ tịch,Cấp huyện,Ủy ban nhân dân thành phố Lạng Sơn,Toàn trình,,5 ngày làm việc,Không,Tờ khai',
      '2,1.000012,Thủ tục hai,Hộ tịch,Cấp Tỉnh,UBND cấp huyện,Toàn trình,,5 ngày làm việc,Không,Tờ khai',
      '3,1.000013,Thủ tục ba,Hộ tịch,Cấp xã,Ủy ban nhân dân thành phố Lạng Sơn,Toàn trình,,5 ngày làm việc,Không,Tờ khai',
      '4,1.000014,Thủ tục bốn,Hộ tịch,Cấp huyện,UBND cấp xã,Toàn trình,,5 ngày làm việc,Không,Tờ khai',
    );
    const withoutSuccessor = { ...province, tiers: province.tiers.map(({ succeededBy: _dropped, ...t }) => t) };

    // Act
    const result = await importCatalog({ file, agenciesFile, province, outDir: join(work, 'district'), now });
    const noRule = await importCatalog({ file: csv('district-generic.csv', '1,1.000014,Thủ tục bốn,Hộ tịch,Cấp huyện,UBND cấp huyện,Toàn trình,,5 ngày làm việc,Không,Tờ khai'), province: withoutSuccessor, outDir: join(work, 'district-no-rule'), now });

    // Assess: row 4 (district tier, every commune) is fine on its own: mapped
    expect(result.ok).toBe(false);
    if (result.ok || noRule.ok) throw new Error('imported');
    expect(result.problems.map((p) => `${p.sheet}!${p.column}${p.line}`)).toEqual(['Cơ quan!C2', 'CSV!F2', 'CSV!F3', 'CSV!F4']);
    expect(result.problems[0]!.message).toBe('the tier "Cấp huyện (đến 30/6/2025)" was abolished (last day 2025-06-30): a current agency is of "Cấp tỉnh" or "Cấp xã"');
    expect(result.problems[1]!.message).toBe('"Ủy ban nhân dân thành phố Lạng Sơn" was abolished (last day 2025-06-30): name the agency that now handles the procedure');
    expect(result.problems[2]!.message).toBe('"UBND cấp huyện" is every agency of tier commune, the procedure is province');
    expect(noRule.problems.map((p) => `${p.column}${p.line}`)).toEqual(['E2']);
    expect(noRule.problems[0]!.message).toMatch(/^the tier "Cấp huyện \(đến 30\/6\/2025\)" was abolished \(last day 2025-06-30\) and the province file names no successor/);
    expect(existsSync(join(work, 'district'))).toBe(false);
  });

  it('names a missing column', async () => {
    const file = join(work, 'columns.csv');
    writeFileSync(file, 'STT,Mã thủ tục,Tên thủ tục\n1,1.000001,X\n');
    const result = await importCatalog({ file, province, outDir: join(work, 'never'), now });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.message)).toContain('missing column "Thời hạn giải quyết"');
    expect(existsSync(join(work, 'never'))).toBe(false);
  });
});

describe('a generated province-sized catalog (xlsx)', { timeout: 120_000 }, () => {
  it('imports 2,000 procedures and 200 agencies; a procedure file and the search index stay small', async () => {
    // Prepare
    const file = join(work, 'generated.xlsx');
    await writeGeneratedWorkbook(file, { province, procedures: 2000, agencies: 200 });
    const outDir = join(work, 'generated');

    // Act
    const result = await importCatalog({ file, province, outDir, now });

    // Assess
    if (!result.ok) throw new Error(result.problems.slice(0, 5).map((p) => formatProblem('generated', p)).join('\n'));
    expect(result.manifest.services).toBe(2000);
    expect(result.agenciesAdded).toBe(200);
    const merged = withCatalog(province, outDir);
    expect(merged.agencies).toHaveLength(231);
    const tiers = new Set(merged.catalog!.entries().map((e) => e.tier));
    // two tiers, as since 1/7/2025: no district procedure, no district agency, nothing to map
    expect([...tiers].sort()).toEqual(['commune', 'province']);
    expect(result.manifest.agencies.filter((a) => a.tier !== 'province' && a.tier !== 'commune')).toEqual([]);
    expect(result.mapped).toEqual([]);
    // what one request reads: one procedure file of a few KB; the search reads the index, not the procedures
    const sizes = readdirSync(join(outDir, 'services')).slice(0, 50).map((id) => readFileSync(join(outDir, 'services', id, 'current.json')).length);
    expect(Math.max(...sizes)).toBeLessThan(4096);
    expect(readFileSync(join(outDir, 'index.json')).length).toBeLessThan(1_000_000);
    expect(filterCatalogEntries(merged, { text: 'giay phep moi truong' }).length).toBeGreaterThan(0);
  });
});
