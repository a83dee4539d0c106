import type { Dossier, DossierEvent } from './dossier.js';
import type { DossierSnapshot } from './event-view.js';
import type { StatusCode } from './status.js';
import type { WorkflowDossier } from './workflow.js';

/**
 * Messages to the national portal's dossier sync API (DVCQG). The message names and fields follow two
 * provincial integrations (see DOMAIN.md, "National portal integration"); the portal's specification is
 * not published, so every field marked INFERRED is a sensible reading still to verify against it.
 */

/** DVCQG's TrangThaiHoSo codes are the dossier statuses 1–10 one for one (status.ts numbers them so). */
export function nationalStatus(status: StatusCode): number {
  return status;
}

/** KenhThucHien: 1 at the counter, 2 online, 3 by post. */
export function nationalChannel(channel: Dossier['channel']): 1 | 2 | 3 {
  return channel === 'counter' ? 1 : channel === 'online' ? 2 : 3;
}

/** `yyyyMMddHHmmss` in Vietnam's time (UTC+7, no daylight saving), as the portal's dates are written. */
export function nationalDate(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const local = new Date(Date.parse(iso) + 7 * 3_600_000).toISOString();
  return local.slice(0, 19).replace(/[-T:]/g, '');
}

export interface DossierSyncItem {
  readonly MaHoSo: string;
  readonly MaTTHC: string;
  readonly KenhThucHien: 1 | 2 | 3;
  readonly TrangThaiHoSo: number;
  readonly NgayTiepNhan?: string;
  readonly NgayHenTra?: string;
  readonly NgayTra?: string;
  readonly NgayKetThucXuLy?: string;
  /** INFERRED: document names as received; the portal's item shape is not published */
  readonly TaiLieuNop: readonly { readonly TenTepDinhKem: string }[];
  readonly DanhSachLePhi: readonly { readonly TenPhiLePhi: string; readonly MucThu: number }[];
  readonly DanhSachHoSoBoSung: readonly { readonly NoiDungBoSung: string }[];
  readonly DanhSachGiayToKetQua: readonly unknown[];
  /** INFERRED: 1 when documents were filed electronically */
  readonly HoSoCoThanhPhanSoHoa: 0 | 1;
  readonly TaiKhoanDuocXacThucVoiVNeID: 0 | 1;
  readonly DuocThanhToanTrucTuyen: 0 | 1;
  readonly DSKetNoiCSDL: readonly unknown[];
}

/** One DongBoHoSoMC data item: the dossier as it stands after an event (the portal keeps the latest). */
export function dossierSyncItem(dossier: DossierSnapshot): DossierSyncItem {
  const supplement = dossier.pendingSupplement;
  const payment = dossier.pendingPayment;
  const documents = dossier.receipt?.documentsReceived ?? [];
  return {
    MaHoSo: dossier.code,
    // INFERRED: the short national code (1.004249); a province file may hold the long one
    MaTTHC: dossier.serviceCode.split('.').slice(0, 2).join('.'),
    KenhThucHien: nationalChannel(dossier.channel),
    TrangThaiHoSo: nationalStatus(dossier.status),
    ...defined({
      NgayTiepNhan: nationalDate(dossier.receivedAt),
      NgayHenTra: nationalDate(dossier.dueAt),
      NgayTra: nationalDate(dossier.returnedAt),
      NgayKetThucXuLy: nationalDate(dossier.finishedAt),
    }),
    TaiLieuNop: documents.map((name) => ({ TenTepDinhKem: name })),
    DanhSachLePhi: payment ? [{ TenPhiLePhi: payment.reason, MucThu: payment.amountVnd }] : [],
    DanhSachHoSoBoSung: supplement ? [{ NoiDungBoSung: supplement.reason }] : [],
    DanhSachGiayToKetQua: [],
    HoSoCoThanhPhanSoHoa: dossier.channel === 'online' ? 1 : 0,
    // INFERRED: this system signs citizens in with its own identity provider unless the province names VNeID
    TaiKhoanDuocXacThucVoiVNeID: 0,
    // INFERRED: online payment is not recorded on the dossier yet
    DuocThanhToanTrucTuyen: 0,
    DSKetNoiCSDL: [],
  };
}

export interface ProgressItem {
  readonly MaHoSo: string;
  readonly NguoiXuLy: string;
  readonly ChucDanh: string;
  readonly ThoiDiemXuLy: string;
  readonly PhongBanXuLy: string;
  readonly NoiDungXuLy: string;
  readonly TrangThai: number;
  readonly NgayBatDau: string;
  readonly NgayKetThucTheoQuyDinh?: string;
}

/** One CapNhatTienDoHoSoMC item: the step an event records. */
export function progressItem(event: DossierEvent, dossier: DossierSnapshot): ProgressItem {
  const who = event.actor.kind === 'official' ? 'Cán bộ một cửa' : event.actor.kind === 'citizen' ? 'Người nộp hồ sơ' : 'Hệ thống';
  return {
    MaHoSo: dossier.code,
    // INFERRED: officials are not named to the portal; their role and agency are
    NguoiXuLy: who,
    ChucDanh: who,
    ThoiDiemXuLy: nationalDate(event.at)!,
    PhongBanXuLy: dossier.agencyName,
    NoiDungXuLy: event.note ?? event.type,
    TrangThai: nationalStatus(event.to),
    NgayBatDau: nationalDate(dossier.receivedAt ?? dossier.submittedAt)!,
    // "theo quy định": the legal appointment, which an apology does not move
    ...defined({ NgayKetThucTheoQuyDinh: nationalDate(dossier.legalDueAt ?? dossier.dueAt) }),
  };
}

function defined<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}

/** Implementations treat "đã tồn tại" (already exists) in a refusal as a cue to send the item as an update. */
export function alreadyExists(message: string | undefined): boolean {
  return message !== undefined && message.normalize('NFC').toLowerCase().includes('đã tồn tại');
}

/** Exponential backoff with full jitter: attempt 0 waits up to base, then 2×, 4×… capped. `random` in [0,1). */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: number): number {
  return Math.floor(random * Math.min(capMs, baseMs * 2 ** attempt));
}
