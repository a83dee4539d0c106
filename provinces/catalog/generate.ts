import ExcelJS from 'exceljs';
import type { Province } from '../schema.js';
import { agencyColumns, procedureColumns } from './rows.js';

/**
 * A province-sized procedure list in the export's layout, for scale tests and the bench: by default
 * 2,000 procedures and 200 new agencies (20 departments, 180 communes), deterministic for a seed. It
 * has the structure in force, two tiers: no district agency, and the share of procedures districts used
 * to handle is the communes' (the district tier's `succeededBy`), as the importer would map it. The words are real procedure vocabulary so that searches behave as on a real catalog.
 */
export interface GenerateOptions {
  readonly province: Province;
  readonly procedures?: number;
  readonly agencies?: number;
  readonly seed?: number;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const actions = ['Cấp', 'Cấp lại', 'Cấp đổi', 'Gia hạn', 'Điều chỉnh', 'Đăng ký', 'Thẩm định', 'Xác nhận', 'Công nhận', 'Thu hồi'];
const subjects: readonly [string, string][] = [
  ['giấy phép xây dựng công trình', 'Hoạt động xây dựng'],
  ['giấy chứng nhận quyền sử dụng đất', 'Đất đai'],
  ['giấy phép kinh doanh vận tải bằng xe ô tô', 'Đường bộ'],
  ['chứng chỉ hành nghề dược', 'Dược phẩm'],
  ['giấy phép hoạt động khám bệnh, chữa bệnh', 'Khám bệnh, chữa bệnh'],
  ['giấy chứng nhận đủ điều kiện an toàn thực phẩm', 'An toàn thực phẩm'],
  ['giấy phép môi trường', 'Môi trường'],
  ['giấy phép khai thác nước dưới đất', 'Tài nguyên nước'],
  ['giấy chứng nhận đăng ký hộ kinh doanh', 'Thành lập và hoạt động của hộ kinh doanh'],
  ['giấy phép bán lẻ rượu', 'Lưu thông hàng hóa trong nước'],
  ['giấy phép tổ chức biểu diễn nghệ thuật', 'Nghệ thuật biểu diễn'],
  ['giấy phép thành lập trường mầm non tư thục', 'Giáo dục và Đào tạo'],
  ['trích lục khai sinh', 'Hộ tịch'],
  ['giấy xác nhận tình trạng hôn nhân', 'Hộ tịch'],
  ['chế độ trợ cấp xã hội hằng tháng', 'Bảo trợ xã hội'],
  ['giấy phép lao động cho người nước ngoài', 'Việc làm'],
  ['giấy chứng nhận đăng ký đầu tư', 'Đầu tư tại Việt Nam'],
  ['giấy phép sử dụng tần số vô tuyến điện', 'Tần số vô tuyến điện'],
  ['chứng nhận vùng an toàn dịch bệnh động vật', 'Thú y'],
  ['giấy phép khai thác khoáng sản', 'Địa chất và khoáng sản'],
];
const documents = [
  'Tờ khai theo mẫu',
  'Đơn đề nghị (bản chính)',
  'Bản sao Căn cước công dân',
  'Bản sao giấy chứng nhận đăng ký doanh nghiệp',
  'Bản vẽ thiết kế (bản chính)',
  'Giấy ủy quyền (nếu có)',
  'Báo cáo đánh giá tác động môi trường',
  'Giấy tờ chứng minh quyền sử dụng đất',
  'Văn bản thẩm duyệt phòng cháy chữa cháy (nếu có)',
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The name of the tier in force for `id`: itself, or the tier that succeeded it when it was abolished. */
function currentTierName(province: Province, id: string): string {
  const tier = province.tiers.find((t) => t.id === id);
  const current = tier?.validUntil && tier.succeededBy ? province.tiers.find((t) => t.id === tier.succeededBy) : tier;
  return current?.name ?? province.tiers[0]!.name;
}

export function generatedAgencies(province: Province, count: number) {
  const departments = Math.min(20, Math.ceil(count / 10));
  return Array.from({ length: count }, (_, i) => {
    const code = `000.${pad(60 + Math.floor(i / 100), 2)}.${pad(i % 100, 2)}.${province.code}`;
    if (i < departments) return { code, name: `Ban Quản lý chuyên ngành số ${pad(i + 1, 2)}`, tier: currentTierName(province, 'province') };
    return { code, name: `Ủy ban nhân dân xã Thử Nghiệm ${pad(i - departments + 1, 3)}`, tier: currentTierName(province, 'commune') };
  });
}

export function generateProcedureRows(options: GenerateOptions): string[][] {
  const { province } = options;
  const next = random(options.seed ?? 2026);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const agencies = generatedAgencies(province, options.agencies ?? 200);
  const departments = agencies.filter((a) => a.tier === currentTierName(province, 'province'));
  const rows: string[][] = [];
  for (let i = 0; i < (options.procedures ?? 2000); i++) {
    const [subject, field] = pick(subjects);
    const r = next();
    // Lạng Sơn 2020: 838 province, 149 district, 43 commune procedures at level 4; since 1/7/2025 the
    // districts' share is the communes'
    const tier = currentTierName(province, r < 0.8 ? 'province' : r < 0.94 ? 'district' : 'commune');
    const agency = tier === currentTierName(province, 'province') ? pick(departments).name : 'UBND cấp xã';
    const l = next();
    const level = l < 0.5 ? 'Toàn trình' : l < 0.85 ? 'Một phần' : 'Mức độ 2';
    const reason = level === 'Toàn trình' ? '' : pick(['Phải đối chiếu bản chính tại bộ phận một cửa', 'Cần kiểm tra thực địa', 'Kết quả là bản giấy có dấu nổi']);
    const days = pick([1, 3, 5, 7, 10, 15, 20, 30]);
    const fee = next() < 0.4 ? 'Không' : `Lệ phí: ${(pick([20, 50, 100, 150, 200, 500]) * 1000).toLocaleString('de-DE')} đồng`;
    const components = Array.from({ length: 2 + Math.floor(next() * 4) }, () => pick(documents));
    rows.push([
      String(i + 1),
      `${i % 3 === 0 ? 2 : 1}.${pad(100000 + i, 6)}`,
      `${pick(actions)} ${subject} (thủ tục số ${i + 1})`,
      field,
      tier,
      agency,
      level,
      reason,
      `${pad(days, 2)} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ`,
      fee,
      [...new Set(components)].join('\n'),
    ]);
  }
  return rows;
}

export const procedureHeader = ['STT', ...Object.values(procedureColumns).map((c) => c.title)];
export const agencyHeader = Object.values(agencyColumns).map((c) => c.title);

export async function writeGeneratedWorkbook(file: string, options: GenerateOptions): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const procedures = workbook.addWorksheet('Danh sách TTHC');
  procedures.addRow(procedureHeader);
  for (const row of generateProcedureRows(options)) procedures.addRow(row);
  const agencies = workbook.addWorksheet('Cơ quan thực hiện');
  agencies.addRow(agencyHeader);
  for (const a of generatedAgencies(options.province, options.agencies ?? 200)) agencies.addRow([a.code, a.name, a.tier]);
  await workbook.xlsx.writeFile(file);
}
