/**
 * Every notification text, Vietnamese first and English after it, in this one folder. Placeholders are
 * `{name}`; `functions/domain/notifications.ts` fills them from the event and refuses a template that
 * names a value the event does not give. Only what the recipient already has goes in: the dossier code,
 * the procedure, the agency, dates, reasons and amounts — never the applicant's identity number,
 * address or form fields.
 *
 * SMS texts are sent without diacritics (brand-name SMS gateways in Vietnam bill Unicode messages as
 * several parts and some carriers refuse them), so they are written to read well either way.
 */

export interface LocalizedText {
  readonly vi: string;
  readonly en: string;
}

export interface ApplicantTemplate {
  readonly subject: LocalizedText;
  readonly body: LocalizedText;
  /** Vietnamese; diacritics are removed when sent */
  readonly sms: string;
}

export type ApplicantTemplateId =
  | 'submitted'
  | 'received'
  | 'supplement-requested'
  | 'payment-requested'
  | 'refused'
  | 'apology'
  | 'result-ready'
  | 'returned';

const footer: LocalizedText = {
  vi: 'Theo dõi hồ sơ: {trackingUrl}\n{agency}',
  en: 'Follow your dossier: {trackingUrl}\n{agency}',
};

export const applicantTemplates: Readonly<Record<ApplicantTemplateId, ApplicantTemplate>> = {
  submitted: {
    subject: { vi: 'Đã nộp hồ sơ {code}', en: 'Dossier {code} submitted' },
    body: {
      vi: 'Hồ sơ {code} ({service}) đã được gửi tới {agency}. Mã tra cứu (PIN) in trên phiếu nộp hồ sơ của ông/bà.\n' + footer.vi,
      en: 'Dossier {code} ({service}) was sent to {agency}. The tracking PIN is printed on your submission receipt.\n' + footer.en,
    },
    sms: 'Hồ sơ {code} đã nộp tới {agency}. Tra cứu: {trackingUrl} (mã PIN in trên phiếu nộp).',
  },
  received: {
    subject: { vi: 'Tiếp nhận hồ sơ {code} — hẹn trả {appointment}', en: 'Dossier {code} received — result due {appointment}' },
    body: {
      vi: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01): hồ sơ {code} ({service}) đã được tiếp nhận. Ngày hẹn trả kết quả: {appointment}.\nGiấy tờ đã nhận: {documents}.\n' + footer.vi,
      en: 'Receipt and appointment (form 01): dossier {code} ({service}) was received. Result due on {appointment}.\nDocuments received: {documents}.\n' + footer.en,
    },
    sms: 'Hồ sơ {code} đã được tiếp nhận. Hẹn trả kết quả: {appointment}.',
  },
  'supplement-requested': {
    subject: { vi: 'Hồ sơ {code} cần bổ sung', en: 'Dossier {code} needs more documents' },
    body: {
      vi: 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02): hồ sơ {code} cần bổ sung: {missing}.\nLý do: {reason}.\nThời gian bổ sung không tính vào thời hạn giải quyết.\n' + footer.vi,
      en: 'Request to supplement the dossier (form 02): dossier {code} needs: {missing}.\nReason: {reason}.\nThe time you take does not count against the deadline.\n' + footer.en,
    },
    sms: 'Hồ sơ {code} cần bổ sung: {missing}. Chi tiết: {trackingUrl}',
  },
  'payment-requested': {
    subject: { vi: 'Hồ sơ {code}: đề nghị nộp {amount}', en: 'Dossier {code}: payment of {amount} requested' },
    body: {
      vi: 'Hồ sơ {code} ({service}) cần thực hiện nghĩa vụ tài chính: {amount}.\nNội dung: {reason}.\n' + footer.vi,
      en: 'Dossier {code} ({service}) awaits a payment of {amount}.\nFor: {reason}.\n' + footer.en,
    },
    sms: 'Hồ sơ {code}: đề nghị nộp {amount}. Thanh toán trực tuyến: {trackingUrl}',
  },
  refused: {
    subject: { vi: 'Hồ sơ {code} không được tiếp nhận', en: 'Dossier {code} was not accepted' },
    body: {
      vi: 'Phiếu từ chối tiếp nhận giải quyết hồ sơ (mẫu 03): hồ sơ {code} ({service}) không được tiếp nhận.\nLý do: {reason}.\n' + footer.vi,
      en: 'Refusal to receive the dossier (form 03): dossier {code} ({service}) was not accepted.\nReason: {reason}.\n' + footer.en,
    },
    sms: 'Hồ sơ {code} không được tiếp nhận. Lý do: {reason}',
  },
  apology: {
    subject: { vi: 'Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}', en: 'Apology and new date for dossier {code}' },
    body: {
      vi: 'Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04): hồ sơ {code} ({service}) chưa kịp giải quyết đúng hẹn {previousDate}.\nLý do: {reason}.\nNgày hẹn mới: {newDate}. {agency} xin lỗi ông/bà.\n' + footer.vi,
      en: 'Apology and new appointment (form 04): dossier {code} ({service}) could not be resolved by {previousDate}.\nReason: {reason}.\nNew date: {newDate}. {agency} apologises.\n' + footer.en,
    },
    sms: 'Xin lỗi: hồ sơ {code} chậm hẹn. Ngày hẹn mới: {newDate}.',
  },
  'result-ready': {
    subject: { vi: 'Hồ sơ {code} đã có kết quả', en: 'The result of dossier {code} is ready' },
    body: {
      vi: 'Hồ sơ {code} ({service}) đã giải quyết xong. Ông/bà nhận kết quả trực tuyến hoặc tại bộ phận một cửa.\n' + footer.vi,
      en: 'Dossier {code} ({service}) is resolved. Collect the result online or at the one-stop desk.\n' + footer.en,
    },
    sms: 'Hồ sơ {code} đã có kết quả. Nhận kết quả: {trackingUrl}',
  },
  returned: {
    subject: { vi: 'Đã trả kết quả hồ sơ {code}', en: 'Result of dossier {code} returned' },
    body: {
      vi: 'Kết quả hồ sơ {code} ({service}) đã được trả. Mời ông/bà đánh giá mức độ hài lòng.\n' + footer.vi,
      en: 'The result of dossier {code} ({service}) was returned. Please rate the service.\n' + footer.en,
    },
    sms: 'Đã trả kết quả hồ sơ {code}. Đánh giá dịch vụ: {trackingUrl}',
  },
};

/** The hourly mail to an agency's officials: one section per kind, one line per dossier. */
export const digestTemplate = {
  subject: { vi: '{agency}: {total} hồ sơ cần chú ý ({window})', en: '{agency}: {total} dossiers to look at ({window})' },
  intro: {
    vi: 'Tổng hợp hồ sơ của {agency} trong khung giờ {window}.',
    en: 'Dossiers of {agency} in the hour {window}.',
  },
  sections: {
    new: { vi: 'Hồ sơ mới nộp', en: 'New dossiers' },
    'due-tomorrow': { vi: 'Sắp đến hạn (cần xin lỗi, hẹn lại nếu không kịp)', en: 'Due within a working day (apologise and set a new date if late)' },
    overdue: { vi: 'Đã quá hạn', en: 'Overdue' },
  },
  line: { vi: '- {code} — {service}{due}', en: '- {code} — {service}{due}' },
  due: { vi: ' — hạn {dueAt}', en: ' — due {dueAt}' },
} as const;

export type DigestKind = keyof typeof digestTemplate.sections;
