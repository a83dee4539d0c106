import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PdfDocument } from './pdf/document.js';
import { parseTrueType, type TrueTypeFont } from './pdf/truetype.js';
import type { GatewayId } from '../domain/payments.js';

/**
 * The receipt as a PDF in DejaVu Sans (assets/fonts): the standard PDF fonts have no Vietnamese glyphs, so
 * the font is embedded, subset to the glyphs the receipt draws (pdf/document.ts).
 */

/** What the PDF prints of a receipt (the receipt the use case reads has these and more). */
export interface PrintedReceipt {
  readonly number: string;
  readonly title: string;
  readonly issuer: { readonly agencyCode: string; readonly agencyName: string; readonly province: string };
  readonly dossier: { readonly code: string; readonly serviceCode: string; readonly serviceName: string };
  readonly payer: { readonly fullName: string; readonly idNumber: string };
  readonly lines: readonly { readonly name: string; readonly amountVnd: number; readonly reduction?: string; readonly exemption?: string }[];
  readonly amountVnd: number;
  readonly paidAt: string;
  readonly gateway: GatewayId;
  readonly merchantRef: string;
  readonly gatewayTransactionId?: string;
}

const fontFiles = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;

/** In a Lambda bundle the fonts are copied to the task root; from the repository they are in assets/. */
function fontPath(name: string): string {
  const candidates = [
    ...(process.env.LAMBDA_TASK_ROOT ? [join(process.env.LAMBDA_TASK_ROOT, 'assets', 'fonts', name)] : []),
    join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'fonts', name),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`receipt font ${name} not found (looked in ${candidates.join(', ')})`);
  return found;
}

let fonts: { regular: TrueTypeFont; bold: TrueTypeFont } | undefined;

const vnd = (n: number) => `${n.toLocaleString('vi-VN')} đồng`;

/** Vietnam local time, written the way receipts write it: HH:mm ngày dd/MM/yyyy. */
function localTime(iso: string): string {
  const t = new Date(Date.parse(iso) + 7 * 3600_000).toISOString();
  return `${t.slice(11, 16)} ngày ${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)}`;
}

export function receiptPdf(receipt: PrintedReceipt): Promise<Buffer> {
  fonts ??= { regular: parseTrueType(readFileSync(fontPath(fontFiles.regular))), bold: parseTrueType(readFileSync(fontPath(fontFiles.bold))) };
  const doc = new PdfDocument({ width: 419.53, height: 595.28, margin: 36, fonts, info: { title: `${receipt.title} ${receipt.number}`, author: receipt.issuer.agencyName } });
  const say = (font: keyof typeof fontFiles, size: number, text: string, align?: 'center') => doc.text([{ font, size, text }], { align });
  const row = (label: string, value: string) => doc.text([{ font: 'regular', size: 9, text: `${label}: ` }, { font: 'bold', size: 9, text: value }]);

  say('bold', 9, receipt.issuer.agencyName.toUpperCase(), 'center');
  say('regular', 8, `Tỉnh ${receipt.issuer.province} — Mã cơ quan ${receipt.issuer.agencyCode}`, 'center');
  doc.moveDown();
  say('bold', 13, receipt.title, 'center');
  say('regular', 9, `Số: ${receipt.number}`, 'center');
  doc.moveDown();
  row('Người nộp', receipt.payer.fullName);
  row('Số giấy tờ', receipt.payer.idNumber);
  row('Hồ sơ', receipt.dossier.code);
  row('Thủ tục', `${receipt.dossier.serviceName} (${receipt.dossier.serviceCode})`);
  doc.moveDown(0.5);
  say('bold', 9, 'Các khoản thu');
  for (const line of receipt.lines) {
    const note = line.exemption ? ` — miễn: ${line.exemption}` : line.reduction ? ` — giảm: ${line.reduction}` : '';
    say('regular', 9, `• ${line.name}${note}: ${vnd(line.amountVnd)}`);
  }
  doc.moveDown(0.5);
  row('Tổng cộng', vnd(receipt.amountVnd));
  row('Thời điểm thanh toán', localTime(receipt.paidAt));
  row('Hình thức', receipt.gateway === 'paygov' ? 'Trực tuyến qua Nền tảng thanh toán (Cổng Dịch vụ công quốc gia)' : `Trực tuyến (${receipt.gateway})`);
  row('Mã tham chiếu', receipt.merchantRef);
  if (receipt.gatewayTransactionId) row('Mã giao dịch cổng thanh toán', receipt.gatewayTransactionId);
  return Promise.resolve(Buffer.from(doc.toBytes()));
}
