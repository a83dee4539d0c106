import { describe, expect, it } from 'vitest';
import { csvCell, isRealDay, normalizeText, safeText, textProblem } from '../../functions/domain/text.js';
import { formSchemaFor, numberFieldSchema, validateSubmission } from '../../functions/domain/dossier.js';
import { sanitiseFileName } from '../../functions/domain/documents.js';
import { statsCsv } from '../../functions/app/statistics.js';
import { actionSchema, applicantSchema, inboxQuerySchema } from '../../functions/contracts/api.js';
import { myDossiersQuerySchema } from '../../functions/contracts/tracking.js';
import { serviceQuerySchema } from '../../functions/contracts/api.js';
import { loadProvince, parseProvince } from '../../provinces/load.js';
import type { Service } from '../../provinces/schema.js';

const refused = [
  ['NUL', 'Lan\u0000'],
  ['a C0 control', 'Lan\u0007Hoa'],
  ['DEL', 'Lan\u007f'],
  ['a C1 control', 'Lan\u0085'],
  ['a right-to-left override', 'Lan\u202eaoH'],
  ['a bidi isolate', '\u2066Lan\u2069'],
  ['a right-to-left mark', 'Lan\u200f'],
  ['zero-width characters only', '\u200b\u200c\u200d\ufeff'],
  ['a lone high surrogate', 'Lan\ud800'],
  ['a lone low surrogate', '\udc00Lan'],
  ['a line separator', 'Lan\u2028Hoa'],
  ['a tab', 'Lan\tHoa'],
] as const;

describe('text that reaches agencies', () => {
  it.each(refused)('refuses %s', (_what, text) => {
    expect(textProblem(normalizeText(text))).toBeDefined();
    expect(safeText({ max: 100 }).safeParse(text).success).toBe(false);
  });

  it('normalises to NFC and trims, keeping Vietnamese letters', () => {
    const decomposed = 'Hoa\u0300ng Thi\u0323 Lan  ';
    expect(safeText({ max: 100 }).parse(decomposed)).toBe('Hoàng Thị Lan');
    expect(safeText({ max: 100 }).parse(decomposed)).toBe('Hoàng Thị Lan'.normalize('NFC'));
    // a real pair of surrogates (an emoji) is fine, and so is a zero-width joiner inside visible text
    expect(textProblem('Lan 👩‍💼')).toBeUndefined();
  });

  it('allows line breaks only in multi-line text, and turns CRLF into LF', () => {
    expect(safeText({ max: 100, multiline: true }).parse('dòng 1\r\ndòng 2')).toBe('dòng 1\ndòng 2');
    expect(safeText({ max: 100 }).safeParse('dòng 1\ndòng 2').success).toBe(false);
  });

  it('checks names, reasons and notes of the API with these rules, naming the field', () => {
    const applicant = { fullName: 'Lan\u202e', idNumber: '020090001234', phone: '0912345678', address: '\u200b' };
    const result = applicantSchema.safeParse(applicant);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['address', 'fullName']);
    expect(actionSchema.safeParse({ action: 'refuse', reason: 'thiếu\u0000' }).success).toBe(false);
    expect(actionSchema.safeParse({ action: 'request-supplement', reason: 'x', missing: ['\ud800'] }).success).toBe(false);
  });

  it('refuses file names with bidi marks, lone surrogates or nothing visible', () => {
    expect(sanitiseFileName('hoa-don\u200f.pdf').ok).toBe(false);
    expect(sanitiseFileName('\udfffa.pdf').ok).toBe(false);
    expect(sanitiseFileName('\u200b\u200b').ok).toBe(false);
    expect(sanitiseFileName('Tờ khai.pdf')).toEqual({ ok: true, name: 'Tờ khai.pdf' });
  });
});

describe('dates', () => {
  it.each(['2024-02-31', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '0999-01-01', '2024-1-01', '2024-01-01T00:00'])('refuses %s', (v) => {
    expect(isRealDay(v)).toBe(false);
  });
  it.each(['2024-02-29', '2026-12-31', '2000-02-29'])('accepts %s', (v) => expect(isRealDay(v)).toBe(true));
});

describe('numbers in form fields', () => {
  it.each([1e21, 2 ** 53, 1e308, 5e-324, -1e308, Number.MAX_VALUE, 0.1234567])('refuses %s when the catalog says nothing', (v) => {
    expect(numberFieldSchema({}).safeParse(v).success).toBe(false);
  });
  it.each([0, 1, -3, 2 ** 53 - 1, 12.5, 0.000001, 1234567.123456])('accepts %s when the catalog says nothing', (v) => {
    expect(numberFieldSchema({}).safeParse(v).success).toBe(true);
  });
  it('applies integer, min and max from the catalog', () => {
    const copies = numberFieldSchema({ integer: true, min: 1, max: 10 });
    expect(copies.safeParse(3).success).toBe(true);
    for (const v of [0, 11, 2.5, -1]) expect(copies.safeParse(v).success, String(v)).toBe(false);
  });
  it('refuses a huge number in a real form with 400 naming the field', () => {
    const province = loadProvince('lang-son');
    for (const v of [1e21, 2 ** 53, 1e308, 5e-324, -1e308]) {
      let error: { kind: string; details: { field: string }[] } | undefined;
      try {
        validateSubmission(province, {
          serviceId: '2.001610',
          applicant: { fullName: 'Lan', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' },
          channel: 'online',
          fields: { enterpriseName: 'DNTN', investedCapitalVnd: v, mainBusinessLine: 'Bán lẻ', headOfficeAddress: 'Lạng Sơn' },
        });
      } catch (err) {
        error = err as typeof error;
      }
      expect(error?.kind, String(v)).toBe('invalid');
      expect(error!.details.map((d) => d.field)).toEqual(['fields.investedCapitalVnd']);
    }
  });
  it('lets a province file declare integer, min and max only on number fields, min not above max', () => {
    const base = loadProvince('lang-son');
    const withField = (field: Record<string, unknown>) => {
      // without its fees: their reductions and exemptions name fields this test replaces
      const service = { ...(base.services[0] as Service), fields: [field], fees: [] };
      return () => parseProvince({ ...base, services: [service] } as never, 'test');
    };
    expect(withField({ name: 'copies', label: 'Số bản', type: 'number', required: true, integer: true, min: 1, max: 10 })).not.toThrow();
    expect(withField({ name: 'copies', label: 'Số bản', type: 'string', required: true, integer: true })).toThrow(/only for a number field/);
    expect(withField({ name: 'copies', label: 'Số bản', type: 'number', required: true, min: 5, max: 1 })).toThrow(/must not be below min/);
    const service = parseProvince({ ...base, services: [{ ...(base.services[0] as Service), fees: [], fields: [{ name: 'copies', label: 'Số bản', type: 'number', required: true, integer: true, min: 1 }] }] } as never, 'test').services[0]!;
    expect(formSchemaFor(service).safeParse({ copies: 0 }).success).toBe(false);
  });
});

describe('page limits', () => {
  it.each(['-5', '0', '0.5', '101', '1e1', '0x10', ' 5', '', 'abc'])('refuses limit=%s', (limit) => {
    expect(myDossiersQuerySchema.safeParse({ limit }).success).toBe(false);
    expect(inboxQuerySchema.safeParse({ limit }).success).toBe(false);
    // the catalog's list takes up to 500, written as plainly
    if (limit !== '101') expect(serviceQuerySchema.safeParse({ limit }).success).toBe(false);
    if (limit !== '101' && limit !== '0') expect(serviceQuerySchema.safeParse({ offset: limit }).success).toBe(false);
  });
  it('takes 1 to 100, 25 by default', () => {
    expect(myDossiersQuerySchema.parse({ limit: '7' }).limit).toBe(7);
    expect(myDossiersQuerySchema.parse({}).limit).toBe(25);
    expect(inboxQuerySchema.parse({ status: '2' }).status).toBe(2);
    expect(inboxQuerySchema.safeParse({ status: '2.0' }).success).toBe(false);
  });
});

describe('CSV exports', () => {
  it.each(['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'])('neutralise the formula prefix of %j', (v) => {
    const cell = csvCell(v);
    expect(cell.replace(/^"/, '')).toMatch(/^'/);
  });
  it('write numbers, including negative ones, as numbers', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('Sở Tư pháp')).toBe('Sở Tư pháp');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
  });
  it('reach the statistics export', () => {
    const csv = statsCsv({ scope: '=cmd' as never, period: { from: '2026-01-01', to: '2026-12-31', items: [] }, figures: {} as never, catalog: {} as never });
    expect(csv).toContain("scope,'=cmd");
  });
});
