/**
 * Dossier statuses as the national portal numbers them (field TrangThaiHoSo). The numbers are the
 * contract with DVCQG and agency systems; the labels are what citizens read.
 */
export const statuses = {
  1: 'Mới đăng ký',
  2: 'Được tiếp nhận',
  3: 'Không được tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung giấy tờ',
  6: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  7: 'Công dân yêu cầu rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã xử lý xong',
  10: 'Đã trả kết quả',
} as const;

export type StatusCode = keyof typeof statuses;

export const Status = {
  Submitted: 1,
  Received: 2,
  Refused: 3,
  Processing: 4,
  SupplementRequested: 5,
  AwaitingPayment: 6,
  Withdrawn: 7,
  Stopped: 8,
  Resolved: 9,
  Returned: 10,
} as const satisfies Record<string, StatusCode>;

export function statusView(code: StatusCode): { code: StatusCode; label: string } {
  return { code, label: statuses[code] };
}
