import { token } from './auth.js';
import type { PaymentRecord } from './payment.js';

/** The API's one error shape; the portal shows messageVi in Vietnamese and message in English. */
export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
  readonly messageVi?: string;
  readonly details?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
  /** field → message, from `details: [{field, message, messageVi}]`: the API's Vietnamese one in Vietnamese */
  fieldMessages(lang: 'vi' | 'en'): Map<string, string> {
    const out = new Map<string, string>();
    if (Array.isArray(this.body.details)) {
      for (const d of this.body.details as { field?: unknown; message?: unknown; messageVi?: unknown }[]) {
        if (typeof d.field !== 'string' || typeof d.message !== 'string') continue;
        const text = lang === 'vi' && typeof d.messageVi === 'string' ? d.messageVi : d.message;
        // two issues on one field: both are said
        out.set(d.field, out.has(d.field) ? `${out.get(d.field)} ${text}` : text);
      }
    }
    return out;
  }
}

/** Same-origin calls to the documented routes (CloudFront forwards them to the API in the cloud). */
export async function api<T>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; auth?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  const bearer = token();
  if (bearer && init.auth !== false) headers.authorization = `Bearer ${bearer}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const err = (parsed as { error?: ApiErrorBody; message?: string } | undefined) ?? {};
    throw new ApiError(res.status, err.error ?? { code: String(res.status), message: err.message ?? res.statusText, ...(res.status === 401 ? { messageVi: 'Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.' } : {}) });
  }
  return parsed as T;
}

/** A file the API answers itself (a receipt PDF), fetched with the bearer token and saved under `fileName`. */
export async function downloadFromApi(path: string, fileName: string): Promise<void> {
  const bearer = token();
  const res = await fetch(path, { headers: { accept: 'application/pdf', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } });
  if (!res.ok) {
    const parsed = (await res.json().catch(() => undefined)) as { error?: ApiErrorBody } | undefined;
    throw new ApiError(res.status, parsed?.error ?? { code: String(res.status), message: res.statusText });
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A PUT of the file's bytes to a presigned URL, reporting progress (fetch cannot report upload progress). */
export function putWithProgress(url: string, file: Blob, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`upload answered ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('upload failed'));
    xhr.send(file);
  });
}

export interface Status { code: number; label: string }
export interface ServiceSummary {
  id: string; code: string; name: string; field: string; tier: string; level: number; fullyOnline: boolean; notEligibleReason?: string;
  processing: { amount: number; unit: 'working-days' | 'calendar-days' };
}
export interface Component { id: string; name: string; required: boolean; allowedTypes: string[]; maxSizeBytes: number; maxFiles: number }
export interface FormField { name: string; label: string; type: 'string' | 'number' | 'date' | 'boolean' | 'enum'; required: boolean; maxLength?: number; options?: string[] }
export interface ServiceDetail extends ServiceSummary {
  agencies: Agency[];
  fees: { name: string; amountVnd: number }[];
  documents: Component[];
  fields: FormField[];
}
export interface Agency { id: string; code: string; name: string; tier: string }
export interface DocumentView {
  id: string; kind: 'application' | 'result'; component: string; fileName: string; status: 'pending' | 'verified' | 'rejected';
  declaredType: string; declaredSize: number; size?: number; type?: string; sha256?: string; reason?: string; reasonVi?: string; uploadedAt: string;
}
export interface HistoryEvent { at: string; type: string; actor: { kind: string; subject?: string; agencyId?: string }; from: number | null; to: number; note?: string }
export interface Dossier {
  code: string; service: { id: string; code: string; name: string }; agency: { id: string; code: string; name: string }; status: Status;
  channel: string; applicant?: { fullName: string; idNumber: string; phone: string; email?: string; address: string }; fields?: Record<string, unknown>;
  submittedAt: string; updatedAt: string; version: number; receivedAt?: string; dueAt?: string; standing: string;
  receipt?: { code: string; documentsReceived: string[]; appointmentAt: string; issuedAt: string };
  pendingSupplement?: { reason: string; missing: string[]; components?: string[]; requestedAt?: string };
  pendingPayment?: { amountVnd: number; reason: string; requestedAt?: string };
  fees?: { lines: { name: string; amountVnd: number }[]; totalVnd: number }; submissionFeesPaidAt?: string; payments?: PaymentRecord[];
  apologies?: { reason: string; newDueAt: string; at?: string }[];
  closingReason?: string; finishedAt?: string; returnedAt?: string; rating?: { value: string; comment?: string };
  history: HistoryEvent[]; draft?: boolean; documents?: DocumentView[];
}
