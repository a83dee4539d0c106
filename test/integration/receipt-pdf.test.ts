import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { receiptPdf, type PrintedReceipt } from '../../functions/adapters/receipt-pdf.js';

/**
 * The receipt PDF read by real PDF tools: qpdf checks its structure (cross-reference table, objects,
 * streams), poppler's pdffonts lists its fonts and pdftotext extracts its text through the ToUnicode
 * CMaps. `.ci/run` installs both (Debian's qpdf and poppler-utils) where they are missing.
 */

const dir = mkdtempSync(join(tmpdir(), 'motcua-receipt-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const receipt: PrintedReceipt = {
  number: 'BL-000.00.14.H37-2612-000123',
  title: 'Biên lai thu phí, lệ phí',
  issuer: { agencyCode: '000.00.14.H37', agencyName: 'Sở Tư pháp tỉnh Lạng Sơn', province: 'Lạng Sơn' },
  dossier: {
    code: '000.00.14.H37-261202-0001',
    serviceCode: '2.000635',
    serviceName: 'Cấp bản sao trích lục hộ tịch, cấp bản sao có chứng thực từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp',
  },
  // the payer's name as a form may send it, decomposed (NFD): the PDF draws and extracts it composed
  payer: { fullName: 'Hoàng Thị Lan Đữ'.normalize('NFD'), idNumber: '020190001234' },
  lines: [
    { name: 'Lệ phí đăng ký hộ tịch', amountVnd: 100_000 },
    { name: 'Phí sao y', amountVnd: 5_000, reduction: 'Giảm 50% cho người khuyết tật' },
    { name: 'Phí khai thác dữ liệu', amountVnd: 0, exemption: 'Người có công với cách mạng' },
  ],
  amountVnd: 105_000,
  paidAt: '2026-12-02T03:04:05.000Z',
  gateway: 'paygov',
  merchantRef: 'MR-ABCDEF123456',
  gatewayTransactionId: 'PG20261202000999',
};

const run = (tool: string, ...args: string[]) => execFileSync(tool, args, { encoding: 'utf8' });

describe('the receipt PDF, read by qpdf and poppler', () => {
  test('is a valid one-page A5 PDF whose text extracts line by line, diacritics composed', async () => {
    // Act
    const file = join(dir, 'receipt.pdf');
    writeFileSync(file, await receiptPdf(receipt));
    const check = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
    const info = run('pdfinfo', file);
    const text = run('pdftotext', '-layout', '-enc', 'UTF-8', file, '-');

    // Assess: qpdf exits 0 only with no errors and no warnings (a wrong xref offset is a warning: it reconstructs)
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('No syntax or stream encoding errors found');
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(info).toMatch(/^Page size:\s+419\.53 x 595\.28 pts/m);
    expect(info).toMatch(/^Title:\s+Biên lai thu phí, lệ phí BL-000\.00\.14\.H37-2612-000123$/m);
    expect(text.split('\n').map((l) => l.trim()).filter(Boolean)).toEqual([
      'SỞ TƯ PHÁP TỈNH LẠNG SƠN',
      'Tỉnh Lạng Sơn — Mã cơ quan 000.00.14.H37',
      'Biên lai thu phí, lệ phí',
      'Số: BL-000.00.14.H37-2612-000123',
      'Người nộp: Hoàng Thị Lan Đữ',
      'Số giấy tờ: 020190001234',
      'Hồ sơ: 000.00.14.H37-261202-0001',
      'Thủ tục: Cấp bản sao trích lục hộ tịch, cấp bản sao có chứng thực từ',
      'bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam',
      'cấp (2.000635)',
      'Các khoản thu',
      '• Lệ phí đăng ký hộ tịch: 100.000 đồng',
      '• Phí sao y — giảm: Giảm 50% cho người khuyết tật: 5.000 đồng',
      '• Phí khai thác dữ liệu — miễn: Người có công với cách mạng: 0 đồng',
      'Tổng cộng: 105.000 đồng',
      'Thời điểm thanh toán: 10:04 ngày 02/12/2026',
      'Hình thức: Trực tuyến qua Nền tảng thanh toán (Cổng Dịch vụ công',
      'quốc gia)',
      'Mã tham chiếu: MR-ABCDEF123456',
      'Mã giao dịch cổng thanh toán: PG20261202000999',
    ]);
    expect(text).toBe(text.normalize('NFC'));
  });

  test('embeds both DejaVu Sans faces as subset CID TrueType fonts with ToUnicode maps', async () => {
    // Act
    const file = join(dir, 'fonts.pdf');
    writeFileSync(file, await receiptPdf(receipt));
    const fonts = run('pdffonts', file).split('\n').slice(2).filter(Boolean).map((l) => l.trim().split(/\s+/));

    // Assess: name, type (2 words), encoding, emb, sub, uni
    expect(fonts.map((f) => f[0]!.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['DejaVuSans', 'DejaVuSans-Bold']);
    for (const f of fonts) expect(f.slice(1, 7)).toEqual(['CID', 'TrueType', 'Identity-H', 'yes', 'yes', 'yes']);
  });

  test('the same receipt gives the same bytes', async () => {
    // Assess
    expect((await receiptPdf(receipt)).equals(await receiptPdf(receipt))).toBe(true);
  });
});
