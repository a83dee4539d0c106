import type { z } from 'zod';
import { foldVietnamese } from '../../functions/domain/catalog.js';
import { agencyCodePattern, serviceSchema, type Agency, type Province, type Service } from '../schema.js';

/**
 * The procedure list as the national procedure database (CSDL TTHC) exports it and provincial decisions
 * annex it, one row per procedure, turned into catalog entries. Pure: rows in, procedures or problems
 * out. Every problem names its line and column, and one bad row makes the whole import fail.
 */

/** A sheet as read from xlsx or CSV: the line number (1-based, as a spreadsheet shows it) and the cells as text. */
export interface SheetRow {
  readonly line: number;
  readonly cells: readonly string[];
}

export interface Sheet {
  readonly name: string;
  readonly rows: readonly SheetRow[];
}

export interface Problem {
  readonly sheet: string;
  readonly line: number;
  /** spreadsheet column letter, or empty for a whole-row or whole-file problem */
  readonly column: string;
  readonly header?: string;
  readonly message: string;
}

export function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

export function formatProblem(file: string, p: Problem): string {
  const where = p.column ? `${p.sheet}!${p.column}${p.line}` : `${p.sheet} line ${p.line}`;
  return `${file}: ${where}${p.header ? ` (${p.header})` : ''}: ${p.message}`;
}

/** Headers are matched folded, without punctuation, so "Phí, lệ phí" and "PHI LE PHI" are one column. */
const normalizeHeader = (text: string) => foldVietnamese(text).replace(/[^a-z0-9]+/g, ' ').trim();

/** The export's column titles (and the spellings seen in provincial decisions), per field. */
export const procedureColumns = {
  code: { title: 'Mã thủ tục', aliases: ['ma thu tuc', 'ma tthc', 'ma thu tuc hanh chinh', 'ma so'], required: true },
  name: { title: 'Tên thủ tục', aliases: ['ten thu tuc', 'ten thu tuc hanh chinh', 'ten tthc'], required: true },
  field: { title: 'Lĩnh vực', aliases: ['linh vuc'], required: true },
  tier: { title: 'Cấp thực hiện', aliases: ['cap thuc hien', 'cap'], required: true },
  agencies: { title: 'Cơ quan thực hiện', aliases: ['co quan thuc hien', 'co quan giai quyet', 'don vi thuc hien'], required: true },
  level: { title: 'Mức độ', aliases: ['muc do', 'muc do dvctt', 'muc do dich vu cong truc tuyen', 'dvctt'], required: true },
  reason: { title: 'Lý do chưa cung cấp toàn trình', aliases: ['ly do chua cung cap toan trinh', 'ly do', 'ly do chua du dieu kien'], required: false },
  processing: { title: 'Thời hạn giải quyết', aliases: ['thoi han giai quyet', 'thoi gian giai quyet'], required: true },
  fees: { title: 'Phí, lệ phí', aliases: ['phi le phi', 'le phi', 'phi'], required: true },
  documents: { title: 'Thành phần hồ sơ', aliases: ['thanh phan ho so'], required: true },
} as const;

export const agencyColumns = {
  code: { title: 'Mã định danh', aliases: ['ma dinh danh', 'ma co quan', 'ma don vi'], required: true },
  name: { title: 'Tên cơ quan', aliases: ['ten co quan', 'ten don vi'], required: true },
  tier: { title: 'Cấp', aliases: ['cap', 'cap thuc hien'], required: true },
} as const;

type Columns = Record<string, { title: string; aliases: readonly string[]; required: boolean }>;

/** The first non-empty row is the header; every column the layout requires must be there. */
function mapHeader<C extends Columns>(sheet: Sheet, columns: C): { index: Partial<Record<keyof C, number>>; header: SheetRow | undefined; problems: Problem[] } {
  const header = sheet.rows.find((r) => r.cells.some((c) => c.trim() !== ''));
  const problems: Problem[] = [];
  const index: Partial<Record<keyof C, number>> = {};
  if (!header) return { index, header, problems: [{ sheet: sheet.name, line: 1, column: '', message: 'the sheet is empty: expected a header row' }] };
  const titles = header.cells.map(normalizeHeader);
  for (const [key, column] of Object.entries(columns) as [keyof C & string, Columns[string]][]) {
    const at = titles.findIndex((t) => column.aliases.includes(t));
    if (at >= 0) index[key] = at;
    else if (column.required) problems.push({ sheet: sheet.name, line: header.line, column: '', message: `missing column "${column.title}"` });
  }
  return { index, header, problems };
}

export function slugOf(text: string, max = 40): string {
  const slug = foldVietnamese(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max + 1);
  const at = cut.lastIndexOf('-');
  return (at > 10 ? cut.slice(0, at) : slug.slice(0, max)).replace(/-+$/, '');
}

function tierMatcher(province: Province): (text: string) => string | undefined {
  return (text) => {
    const t = normalizeHeader(text);
    for (const tier of province.tiers) {
      if (t === tier.id || t === normalizeHeader(tier.name)) return tier.id;
    }
    // "Tỉnh", "Cấp Tỉnh", "cấp xã": the last word names the tier, not a note in brackets such as
    // "Cấp huyện (đến 30/6/2025)", which an export never carries
    const bare = (name: string) => normalizeHeader(name.replace(/\s*\([^)]*\)\s*/g, ' '));
    const last = t.split(' ').at(-1) ?? '';
    const byWord = province.tiers.filter((tier) => bare(tier.name).split(' ').at(-1) === last);
    return byWord.length === 1 ? byWord[0]!.id : undefined;
  };
}

const currentTierNames = (province: Province) =>
  province.tiers
    .filter((t) => !t.validUntil)
    .map((t) => `"${t.name}"`)
    .join(' or ');

/**
 * The tier a procedure of the catalog (which holds the procedures in force) is imported under: the one
 * its row names, or, for a tier abolished since (districts, 30/6/2025), the current tier the province file
 * names as its successor (`succeededBy`). Without a successor the row is refused.
 */
function currentTier(province: Province, tier: string): { tier: string; from?: string } | { refused: string } {
  const record = province.tiers.find((t) => t.id === tier);
  if (!record?.validUntil) return { tier };
  if (record.succeededBy) return { tier: record.succeededBy, from: tier };
  return { refused: `the tier "${record.name}" was abolished (last day ${record.validUntil}) and the province file names no successor (succeededBy): give ${currentTierNames(province)}` };
}

/** Agency names are compared folded and without the "tỉnh <province>" tail exports often drop. */
function agencyKey(name: string, province: Province): string {
  const folded = normalizeHeader(name).replace(/^uy ban nhan dan /, 'ubnd ');
  const tail = ` tinh ${normalizeHeader(province.name)}`;
  return folded.endsWith(tail) ? folded.slice(0, -tail.length) : folded;
}

export interface AgencyImport {
  /** agencies the province file does not have, with ids kept from the previous import when codes match */
  readonly added: Agency[];
  readonly problems: Problem[];
}

/** The optional agencies sheet: code (Decision 20/2020), name, tier. */
export function readAgencySheet(sheet: Sheet, province: Province, previous: readonly Agency[]): AgencyImport {
  const { index, header, problems } = mapHeader(sheet, agencyColumns);
  if (problems.length || !header) return { added: [], problems };
  const tierOf = tierMatcher(province);
  const byCode = new Map(province.agencies.map((a) => [a.code, a]));
  const previousByCode = new Map(previous.map((a) => [a.code, a]));
  const ids = new Set(province.agencies.map((a) => a.id));
  const added: Agency[] = [];
  const seenCodes = new Map<string, number>();
  for (const row of sheet.rows.filter((r) => r.line > header.line && r.cells.some((c) => c.trim()))) {
    const cell = (k: keyof typeof agencyColumns) => (row.cells[index[k]!] ?? '').trim();
    const at = (k: keyof typeof agencyColumns, message: string) =>
      problems.push({ sheet: sheet.name, line: row.line, column: columnLetter(index[k]!), header: agencyColumns[k].title, message });
    const code = cell('code');
    const name = cell('name');
    const tier = tierOf(cell('tier'));
    if (!agencyCodePattern.test(code)) at('code', `"${code}" is not an agency code like 000.00.14.${province.code} (Decision 20/2020)`);
    else if (!code.endsWith(province.code)) at('code', `"${code}" is not of this province (${province.code})`);
    else if (seenCodes.has(code)) at('code', `code ${code} is already on line ${seenCodes.get(code)}`);
    if (!name) at('name', 'empty');
    if (!tier) at('tier', `"${cell('tier')}" is none of the province's tiers (${province.tiers.map((t) => t.name).join(', ')})`);
    const abolished = province.tiers.find((t) => t.id === tier && t.validUntil);
    if (abolished) at('tier', `the tier "${abolished.name}" was abolished (last day ${abolished.validUntil}): a current agency is of ${currentTierNames(province)}`);
    seenCodes.set(code, row.line);
    if (!agencyCodePattern.test(code) || !name || !tier || abolished || byCode.has(code)) continue;
    let id = previousByCode.get(code)?.id ?? slugOf(agencyKey(name, province).replace(/ /g, '-'));
    if (ids.has(id)) id = slugOf(`${id.slice(0, 26)}-${code.replace(/\./g, '-').toLowerCase()}`);
    if (ids.has(id)) {
      at('name', `cannot derive a unique id from "${name}" (${id} is taken)`);
      continue;
    }
    ids.add(id);
    added.push({ id, code, name, tier });
  }
  return { added, problems };
}

const genericAgency = /^(ubnd|uy ban nhan dan) cap (tinh|huyen|xa)$/;
const documentLimits = { allowedTypes: ['application/pdf', 'image/jpeg', 'image/png'] as const, maxSizeBytes: 10 * 1024 * 1024, maxFiles: 1 };
/** What the export does not say and the import therefore sets; the import summary prints it. */
export const importDefaults = `document components accept PDF, JPEG or PNG, up to 10 MiB, one file each; "(nếu có)" marks a component optional; procedures have no form fields`;

function parseLevel(text: string): { level: 1 | 2 | 3 | 4; fullyOnline: boolean } | undefined {
  const t = normalizeHeader(text);
  if (t.includes('toan trinh')) return { level: 4, fullyOnline: true };
  if (t.includes('mot phan')) return { level: 3, fullyOnline: false };
  const m = /^(muc do )?([1-4])$/.exec(t);
  if (!m) return undefined;
  const level = Number(m[2]) as 1 | 2 | 3 | 4;
  return { level, fullyOnline: level === 4 };
}

function parseProcessing(text: string): Service['processing'] | string {
  const t = foldVietnamese(text).replace(/\s+/g, ' ');
  const m = /(\d+(?:[.,]\d+)?) ?(ngay lam viec|ngay)/.exec(t);
  if (!m) return `"${text}" does not give a number of days ("15 ngày làm việc", "30 ngày")`;
  const amount = Number(m[1]!.replace(',', '.'));
  if (!(amount > 0)) return `"${text}": the time must be more than 0 days`;
  // "ngày" alone is a calendar day in Vietnamese statutes; only "ngày làm việc" counts working days
  return { amount, unit: m[2] === 'ngay lam viec' ? 'working-days' : 'calendar-days' };
}

function parseFees(text: string): Service['fees'] | string {
  const t = normalizeHeader(text);
  if (t === '' || /^(khong|mien)( .*)?$/.test(t)) return [];
  // the export gives flat amounts only; reductions and exemptions are the province's to add by hand
  const fees: Service['fees'] = [];
  for (const part of text.split(/[;\n]+/).map((p) => p.trim()).filter(Boolean)) {
    if (part.includes('%')) return `"${part}": a fee given as a percentage cannot be stored as an amount`;
    const m = /^(.*?)[\s:：-]*(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(đồng|VNĐ|VND|đ)\b/iu.exec(part);
    if (!m) return `"${part}" is not "<name>: <amount> đồng"`;
    fees.push({ name: m[1]!.replace(/[\s:：-]+$/, '').trim() || 'Phí, lệ phí', amountVnd: Number(m[2]!.replace(/[.,]/g, '')), reductions: [], exemptions: [] });
  }
  return fees;
}

function parseDocuments(text: string): Service['documents'] {
  const used = new Set<string>();
  return text
    .split(/[;\n]+/)
    .map((p) => p.replace(/^\s*([-+•*]|\d+[.)])\s*/, '').trim())
    .filter(Boolean)
    .map((name) => {
      const base = slugOf(name) || 'thanh-phan';
      let id = base;
      for (let n = 2; used.has(id); n++) id = `${base.slice(0, 36)}-${n}`;
      used.add(id);
      return { id, name, required: !foldVietnamese(name).includes('neu co'), ...documentLimits, allowedTypes: [...documentLimits.allowedTypes] };
    });
}

/** Which column a schema rule belongs to, so its problem points at the right cell. */
const schemaField: Record<string, keyof typeof procedureColumns> = {
  id: 'code',
  code: 'code',
  name: 'name',
  field: 'field',
  tier: 'tier',
  agencyIds: 'agencies',
  level: 'level',
  fullyOnline: 'level',
  notEligibleReason: 'reason',
  processing: 'processing',
  fees: 'fees',
  documents: 'documents',
};

/** A row of an abolished tier imported under its successor: reported so that a reviewer can check it. */
export interface TierMapping {
  readonly sheet: string;
  readonly line: number;
  readonly column: string;
  readonly id: string;
  readonly from: string;
  readonly to: string;
}

export function formatMapping(file: string, m: TierMapping): string {
  return `${file}: ${m.sheet}!${m.column}${m.line}: ${m.id} names the abolished tier "${m.from}"; imported as "${m.to}", its successor`;
}

export interface ProcedureImport {
  readonly services: Service[];
  readonly problems: Problem[];
  readonly mapped: TierMapping[];
  /** ids the province file already defines: its hand-written entry (with form fields) is kept */
  readonly kept: { line: number; id: string }[];
}

/** `1.004249` or the full `1.004249.000.00.00.H37`: the id is the national short code. */
const procedureCode = /^(\d\.\d{6})(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?$/;

export function readProcedureSheet(sheet: Sheet, province: Province): ProcedureImport {
  const { index, header, problems } = mapHeader(sheet, procedureColumns);
  const services: Service[] = [];
  const kept: { line: number; id: string }[] = [];
  const mapped: TierMapping[] = [];
  if (problems.length || !header) return { services, problems, kept, mapped };
  const tierOf = tierMatcher(province);
  const agencies = new Map<string, Agency>();
  for (const a of province.agencies) {
    agencies.set(agencyKey(a.name, province), a);
    agencies.set(a.code.toLowerCase(), a);
    agencies.set(a.id, a);
  }
  const own = new Set(province.services.map((s) => s.id));
  const seen = new Map<string, number>();
  for (const row of sheet.rows.filter((r) => r.line > header.line && r.cells.some((c) => c.trim()))) {
    const cell = (k: keyof typeof procedureColumns) => (index[k] === undefined ? '' : (row.cells[index[k]!] ?? '').trim());
    const rowProblems: Problem[] = [];
    const at = (k: keyof typeof procedureColumns, message: string) =>
      rowProblems.push({ sheet: sheet.name, line: row.line, column: index[k] === undefined ? '' : columnLetter(index[k]!), header: procedureColumns[k].title, message });

    const code = cell('code');
    const codeMatch = procedureCode.exec(code);
    if (!codeMatch) at('code', `"${code}" is not a procedure code like 1.004249 or 1.004249.000.00.00.${province.code}`);
    const id = codeMatch?.[1] ?? '';
    if (id && seen.has(id)) at('code', `procedure ${id} is already on line ${seen.get(id)}`);
    if (id) seen.set(id, row.line);
    if (!cell('name')) at('name', 'empty');
    if (!cell('field')) at('field', 'empty');
    const named = tierOf(cell('tier'));
    if (!named) at('tier', `"${cell('tier')}" is none of the province's tiers (${province.tiers.map((t) => t.name).join(', ')}); one tier per row`);
    const resolved = named ? currentTier(province, named) : undefined;
    if (resolved && 'refused' in resolved) at('tier', resolved.refused);
    const tier = resolved && 'tier' in resolved ? resolved.tier : undefined;
    const rowMapping = resolved && 'from' in resolved && resolved.from ? { from: resolved.from, to: resolved.tier } : undefined;
    const level = parseLevel(cell('level'));
    if (!level) at('level', `"${cell('level')}" is not a level ("Toàn trình", "Một phần", or 1 to 4)`);
    const processing = parseProcessing(cell('processing'));
    if (typeof processing === 'string') at('processing', processing);
    const fees = parseFees(cell('fees'));
    if (typeof fees === 'string') at('fees', fees);

    let agencyIds: string[] | undefined;
    const agencyNames = cell('agencies').split(/[;\n]+/).map((n) => n.trim()).filter(Boolean);
    const generic = agencyNames.map((n) => genericAgency.exec(normalizeHeader(n))).find((m) => m !== null);
    if (agencyNames.length === 0) at('agencies', 'empty: name the agencies, or "UBND cấp xã" for every agency of the tier');
    else if (!generic) {
      agencyIds = [];
      for (const name of agencyNames) {
        const agency = agencies.get(agencyKey(name, province)) ?? agencies.get(name.toLowerCase());
        if (!agency) at('agencies', `unknown agency "${name}": add it to the agencies sheet or the province file`);
        // a named body that no longer exists cannot be mapped: which commune took it over is the province's to say
        else if (agency.validUntil) at('agencies', `"${name}" was abolished (last day ${agency.validUntil}): name the agency that now handles the procedure`);
        else if (tier && agency.tier !== tier) at('agencies', `"${name}" is a ${agency.tier} agency, the procedure is ${tier}`);
        else if (!agencyIds.includes(agency.id)) agencyIds.push(agency.id);
      }
    } else {
      // "UBND cấp huyện" means every agency of that tier, which now is its successor's
      const genericNamed = tierOf(`cap ${generic[2]}`);
      const genericResolved = genericNamed ? currentTier(province, genericNamed) : undefined;
      const genericTier = genericResolved && 'tier' in genericResolved ? genericResolved.tier : undefined;
      if (tier && genericTier && genericTier !== tier) at('agencies', `"${agencyNames.join('; ')}" is every agency of tier ${genericTier}, the procedure is ${tier}`);
      else if (tier && !province.agencies.some((a) => a.tier === tier && !a.validUntil)) at('agencies', `no current agency of tier "${tier}" can process it`);
    }

    if (rowProblems.length === 0 && rowMapping) {
      mapped.push({ sheet: sheet.name, line: row.line, column: columnLetter(index.tier!), id, ...rowMapping });
    }
    if (rowProblems.length === 0 && own.has(id)) {
      kept.push({ line: row.line, id });
      continue;
    }
    if (rowProblems.length === 0) {
      const reason = cell('reason');
      const candidate = {
        id,
        code,
        name: cell('name'),
        field: cell('field'),
        tier,
        ...(agencyIds ? { agencyIds } : {}),
        ...level,
        ...(reason ? { notEligibleReason: reason } : {}),
        processing,
        fees,
        documents: parseDocuments(cell('documents')),
        fields: [],
      };
      const parsed = serviceSchema.safeParse(candidate);
      if (parsed.success) services.push(parsed.data);
      else for (const issue of parsed.error.issues as z.core.$ZodIssue[]) at(schemaField[String(issue.path[0])] ?? 'code', issue.message);
    }
    // left to right, as a person fixes a row
    problems.push(...rowProblems.sort((a, b) => a.column.length - b.column.length || a.column.localeCompare(b.column)));
  }
  if (services.length === 0 && kept.length === 0 && problems.length === 0) {
    problems.push({ sheet: sheet.name, line: header.line, column: '', message: 'no procedure rows under the header' });
  }
  return { services, problems, kept, mapped };
}
