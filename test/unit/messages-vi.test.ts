import { describe, expect, test } from 'vitest';
import * as z from 'zod';
import { applicantSchema, submissionSchema } from '../../functions/contracts/api.js';
import { formSchemaFor, issuesToDetails } from '../../functions/domain/dossier.js';
import { AppError, invalidInput, type ErrorDetail } from '../../functions/domain/errors.js';
import { detailMessageVi, issueMessageVi } from '../../functions/domain/messages-vi.js';
import { checkSlot } from '../../functions/domain/documents.js';

const detailsOf = (schema: z.core.$ZodType, value: unknown, prefix?: string) => {
  const parsed = z.safeParse(schema, value);
  if (parsed.success) throw new Error('expected a refusal');
  return issuesToDetails(parsed.error.issues, prefix);
};
const good = { fullName: 'Hoàng Thị Lan', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' };

describe('Vietnamese messages of refused fields', () => {
  test('each detail of a refused applicant carries messageVi beside the English message', () => {
    const details = detailsOf(applicantSchema, { ...good, idNumber: '12345', phone: '12', email: 'no', fullName: '', extra: 1 }, 'applicant');
    const vi = Object.fromEntries(details.map((d) => [d.field, d.messageVi]));
    expect(vi['applicant.idNumber']).toBe('Số Căn cước công dân gồm 12 chữ số (hoặc Chứng minh nhân dân 9 chữ số).');
    expect(vi['applicant.phone']).toBe('Số điện thoại Việt Nam, ví dụ 0912345678.');
    expect(vi['applicant.email']).toBe('Địa chỉ email không hợp lệ.');
    expect(vi['applicant.fullName']).toBe('Trường này là bắt buộc.');
    expect(vi['applicant.extra']).toBe('Trường này không được chấp nhận.');
    // the English stays as it was
    expect(details.find((d) => d.field === 'applicant.idNumber')?.message).toBe('a 12-digit CCCD number (or 9-digit CMND)');
  });

  test('zod’s own refusals are said from their code and limits', () => {
    const messages = (schema: z.ZodType, value: unknown) => detailsOf(schema, value).map((d) => d.messageVi);
    expect(messages(z.object({ a: z.string() }), {})).toEqual(['Trường này là bắt buộc.']);
    expect(messages(z.number(), 'x')).toEqual(['Cần nhập một số.']);
    expect(messages(z.number().int(), 1.5)).toEqual(['Cần nhập một số nguyên.']);
    expect(messages(z.string(), 3)).toEqual(['Cần nhập văn bản.']);
    expect(messages(z.string().max(100), 'x'.repeat(101))).toEqual(['Tối đa 100 ký tự.']);
    expect(messages(z.string().min(3), 'ab')).toEqual(['Cần ít nhất 3 ký tự.']);
    expect(messages(z.number().min(1000), 5)).toEqual(['Giá trị phải từ 1.000 trở lên.']);
    expect(messages(z.number().positive(), 0)).toEqual(['Giá trị phải lớn hơn 0.']);
    expect(messages(z.number().max(1_000_000), 2_000_000)).toEqual(['Giá trị không được vượt quá 1.000.000.']);
    expect(messages(z.array(z.string()).max(2), ['a', 'b', 'c'])).toEqual(['Tối đa 2 mục.']);
    expect(messages(z.enum(['Sinh viên', 'Khác']), 'x')).toEqual(['Chọn một trong các giá trị: Sinh viên, Khác.']);
    expect(messages(z.string().regex(/^\d+$/), 'x')).toEqual(['Giá trị không đúng định dạng.']);
  });

  test('a procedure’s form fields and the text rules are said in Vietnamese', () => {
    const service = { fields: [{ name: 'birthDate', label: 'Ngày sinh', type: 'date', required: true }, { name: 'copies', label: 'Số bản', type: 'number', required: false }] };
    const details = detailsOf(formSchemaFor(service as never), { birthDate: '2024-02-31', copies: 'hai' }, 'fields');
    expect(Object.fromEntries(details.map((d) => [d.field, d.messageVi]))).toEqual({ 'fields.birthDate': 'Ngày này không có trên lịch.', 'fields.copies': 'Cần nhập một số.' });
    const text = detailsOf(submissionSchema, { serviceId: '2.001610', applicant: { ...good, fullName: 'Lan\u202e' } });
    expect(text.map((d) => d.messageVi)).toEqual(['Văn bản không được chứa ký tự đảo chiều.']);
  });

  test('details written by hand get their Vietnamese when invalidInput builds the error', () => {
    try {
      checkSlot({ allowedTypes: ['application/pdf'], maxSizeBytes: 5_242_880, maxFiles: 1 } as never, { component: 'x', fileName: 'a.pdf', contentType: 'text/html', size: 6_000_000 } as never, [], new Date());
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).details).toEqual([
        { field: 'contentType', message: 'accepted: application/pdf', messageVi: 'Chỉ chấp nhận: application/pdf.' },
        { field: 'size', message: 'at most 5242880 bytes', messageVi: 'Tệp không được lớn hơn 5 MB.' },
      ]);
    }
    // a message nobody translated still reads as Vietnamese, and one already given is kept
    expect((invalidInput([{ field: 'x', message: 'something new' }]).details as readonly ErrorDetail[])[0]?.messageVi).toBe('Giá trị không hợp lệ.');
    expect((invalidInput([{ field: 'x', message: 'm', messageVi: 'đã có' }]).details as readonly ErrorDetail[])[0]?.messageVi).toBe('đã có');
    expect(detailMessageVi('a JSON body is required')).toBe('Cần gửi nội dung dạng JSON.');
    expect(issueMessageVi({ code: 'custom', message: 'must contain visible characters', path: [], input: ' ' })).toBe('Cần nhập nội dung nhìn thấy được, không chỉ khoảng trắng.');
  });
});
