/** The page the browser returns to after the gateway. It shows what the server knows; it decides nothing. */

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const labels: Record<string, { vi: string; en: string }> = {
  paid: { vi: 'Đã thanh toán thành công', en: 'Paid' },
  initiated: { vi: 'Đang chờ xác nhận từ cổng thanh toán', en: 'Waiting for the gateway to confirm' },
  failed: { vi: 'Thanh toán không thành công', en: 'The payment failed or was cancelled' },
  'refund-due': { vi: 'Đã nhận tiền, sẽ được hoàn trả', en: 'Received, to be refunded' },
  refunded: { vi: 'Đã hoàn trả', en: 'Refunded' },
  unknown: { vi: 'Không tìm thấy giao dịch', en: 'No such payment' },
};

/**
 * The page's only styles, in a <style> element the portal's Content-Security-Policy allows by its hash
 * (lib/portal-csp.ts reads this constant): `style-src 'self'` refuses inline style attributes.
 */
export const RETURN_PAGE_STYLE = 'body{font-family:sans-serif;max-width:36rem;margin:2rem auto}';

export function returnPage(state: { ref?: string; status: string; amountVnd?: number; dossierCode?: string }): string {
  const label = labels[state.status] ?? labels.unknown!;
  const amount = state.amountVnd !== undefined ? `<p>Số tiền: <strong>${state.amountVnd.toLocaleString('vi-VN')} đồng</strong></p>` : '';
  const dossier = state.dossierCode ? `<p>Hồ sơ: <strong>${escape(state.dossierCode)}</strong></p>` : '';
  // back to the dossier in the portal, which is served from the same origin as the API routes
  const back = state.dossierCode ? `<p><a id="back" href="/#/dossiers/${encodeURIComponent(state.dossierCode)}">Quay lại hồ sơ</a> <small>(Back to the dossier)</small></p>` : '<p><a id="back" href="/">Quay lại Cổng dịch vụ công</a> <small>(Back to the portal)</small></p>';
  // a pending payment is confirmed server to server; the page looks again a few times, it never confirms anything itself
  const refresh = state.status === 'initiated' ? '<meta http-equiv="refresh" content="3">' : '';
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}<title>Kết quả thanh toán</title><style>${RETURN_PAGE_STYLE}</style></head>
<body>
<h1>Kết quả thanh toán</h1>
<p id="status" data-status="${escape(state.status)}"><strong>${label.vi}</strong> <small>(${label.en})</small></p>
${dossier}${amount}<p>Mã giao dịch: <code>${escape(state.ref ?? '')}</code></p>
${back}
</body></html>`;
}
