import type * as z from 'zod/mini';

/**
 * The Vietnamese message of each refused field, given as `messageVi` beside the English `message` of an
 * error detail, so that a form shows the citizen the API's own words in Vietnamese. Messages written by
 * the contracts and the domain are translated one by one; zod's own are built from the issue's code and
 * limits. Anything unknown still gets a Vietnamese sentence, never the English one.
 */

/** Messages written in this repository (contracts, domain), word for word. */
const written: Record<string, string> = {
  'a 12-digit CCCD number (or 9-digit CMND)': 'Số Căn cước công dân gồm 12 chữ số (hoặc Chứng minh nhân dân 9 chữ số).',
  'a Vietnamese phone number, e.g. 0912345678': 'Số điện thoại Việt Nam, ví dụ 0912345678.',
  'a date as YYYY-MM-DD': 'Ngày theo dạng năm-tháng-ngày (YYYY-MM-DD).',
  'not a real date': 'Ngày này không có trên lịch.',
  'not an accepted field': 'Trường này không được chấp nhận.',
  'must be valid Unicode (a lone surrogate was found)': 'Văn bản có ký tự không hợp lệ.',
  'must not contain control characters (line breaks are allowed)': 'Văn bản không được chứa ký tự điều khiển (được xuống dòng).',
  'must not contain control characters or line breaks': 'Văn bản không được chứa ký tự điều khiển hoặc xuống dòng.',
  'must not contain bidirectional control characters': 'Văn bản không được chứa ký tự đảo chiều.',
  'must not contain line or paragraph separators': 'Văn bản không được chứa ký tự phân cách dòng hoặc đoạn.',
  'must contain visible characters': 'Cần nhập nội dung nhìn thấy được, không chỉ khoảng trắng.',
  'a JSON body is required': 'Cần gửi nội dung dạng JSON.',
  'not valid JSON': 'Nội dung gửi lên không phải JSON hợp lệ.',
  'a positive number of bytes': 'Kích thước tệp phải là số byte dương.',
  'required: choose one of the agencies that process this service': 'Bắt buộc: chọn một cơ quan giải quyết thủ tục này.',
  'not an agency that processes this service': 'Cơ quan này không giải quyết thủ tục này.',
  'not a cursor of this list; pass nextCursor of the previous page unchanged': 'Con trỏ trang không thuộc danh sách này.',
  'a service id from GET /services': 'Mã thủ tục không hợp lệ.',
};

/** Written messages that carry a value, by their shape. */
const shaped: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^accepted: (.+)$/, (m) => `Chỉ chấp nhận: ${m[1]}.`],
  [/^at most (\d+) bytes$/, (m) => `Tệp không được lớn hơn ${formatBytes(Number(m[1]))}.`],
  [/^at most (\d+) file\(s\)$/, (m) => `Tối đa ${m[1]} tệp.`],
  [/^"(.+)" is not a document of this procedure/, (m) => `"${m[1]}" không phải thành phần hồ sơ của thủ tục này.`],
  [/^not a document of this procedure/, () => 'Không phải thành phần hồ sơ của thủ tục này.'],
];

const formatBytes = (n: number): string => (n >= 1_048_576 ? `${Math.round((n / 1_048_576) * 10) / 10} MB` : `${Math.ceil(n / 1024)} KB`);
const number = (n: number | bigint): string => new Intl.NumberFormat('vi-VN').format(n);

/** The Vietnamese of a message written here, or undefined when it is not one of them. */
export function writtenMessageVi(message: string): string | undefined {
  const exact = written[message];
  if (exact) return exact;
  for (const [pattern, say] of shaped) {
    const m = pattern.exec(message);
    if (m) return say(m);
  }
  return undefined;
}

const generic = 'Giá trị không hợp lệ.';

/** The Vietnamese message of one zod issue. */
export function issueMessageVi(issue: z.core.$ZodIssue): string {
  const own = writtenMessageVi(issue.message);
  if (own) return own;
  switch (issue.code) {
    case 'invalid_type':
      // issues do not carry the input unless asked to; zod's own message says what it received
      if ('input' in issue ? issue.input === undefined : /received undefined$/.test(issue.message)) return 'Trường này là bắt buộc.';
      switch (issue.expected) {
        case 'number':
          return 'Cần nhập một số.';
        case 'int':
          return 'Cần nhập một số nguyên.';
        case 'string':
          return 'Cần nhập văn bản.';
        case 'boolean':
          return 'Cần chọn có hoặc không.';
        case 'array':
          return 'Cần một danh sách.';
        case 'object':
          return 'Cần một đối tượng JSON.';
        default:
          return 'Giá trị không đúng kiểu.';
      }
    case 'too_small': {
      const n = issue.minimum;
      if (issue.origin === 'string') return Number(n) <= 1 ? 'Trường này là bắt buộc.' : `Cần ít nhất ${number(n)} ký tự.`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Cần ít nhất ${number(n)} mục.`;
      return issue.inclusive === false ? `Giá trị phải lớn hơn ${number(n)}.` : `Giá trị phải từ ${number(n)} trở lên.`;
    }
    case 'too_big': {
      const n = issue.maximum;
      if (issue.origin === 'string') return `Tối đa ${number(n)} ký tự.`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Tối đa ${number(n)} mục.`;
      return issue.inclusive === false ? `Giá trị phải nhỏ hơn ${number(n)}.` : `Giá trị không được vượt quá ${number(n)}.`;
    }
    case 'invalid_format':
      if (issue.format === 'email') return 'Địa chỉ email không hợp lệ.';
      if (issue.format === 'url') return 'Địa chỉ URL không hợp lệ.';
      return 'Giá trị không đúng định dạng.';
    case 'invalid_value':
      return `Chọn một trong các giá trị: ${issue.values.map(String).join(', ')}.`;
    case 'not_multiple_of':
      return `Giá trị phải là bội số của ${number(Number(issue.divisor))}.`;
    case 'unrecognized_keys':
      return 'Trường này không được chấp nhận.';
    default:
      return generic;
  }
}

/** The Vietnamese of a detail written by hand (not from a zod issue). */
export function detailMessageVi(message: string): string {
  return writtenMessageVi(message) ?? generic;
}
