import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { initFields, messageTypes, notifyFields, PAYGOV_VERSION, queryFields, sameChecksum, signFields, transactionStates } from '../functions/adapters/paygov.js';
import { vnTimestamp } from '../functions/adapters/payment-gateway.js';
import type { MerchantConfig } from '../functions/adapters/payment-gateway.js';
import type { Logger } from './support.js';

/**
 * A stand-in for the national Payment Platform that speaks the protocol of functions/adapters/paygov.ts
 * (INIT, the signed callback, CheckPaymentStatus, the receipt request), mounted under /local/paygov on
 * the local API. A person opens the payment page and clicks Pay or Cancel; the platform then sends its
 * signed callback and redirects the browser back, as the real one does. `POST /local/paygov/control`
 * lets tests (and a curious person) decide a transaction without the page and send the callback twice,
 * late, out of order, badly signed or not at all.
 *
 * The merchant enrolment lives in the data folder (`payments/merchant.json`, a fresh random secret on
 * first start): handlers read it through PAYMENT_SECRET_FILE, exactly as they read Secrets Manager in the cloud.
 */

export interface SimulatorAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

interface Transaction {
  readonly ref: string;
  readonly amountVnd: number;
  readonly description: string;
  readonly returnUrl: string;
  readonly notifyUrl: string;
  readonly initiatedAt: string;
  status: 'pending' | 'paid' | 'failed';
  gatewayTransactionId?: string;
  paidAt?: string;
  receiptNumber?: string;
}

export interface PayGovSimulator {
  readonly config: MerchantConfig;
  readonly secretFile: string;
  /** the pages and the API, for requests under /local/paygov */
  handle(method: string, url: string, body: Buffer, contentType: string | undefined): Promise<SimulatorAnswer | undefined>;
  /** waits for callbacks sent in the background (delayed ones) */
  settled(): Promise<void>;
}

export const simulatorPrefix = '/local/paygov';

/** The merchant file: written once with a random secret; the URLs follow the API's current address. */
export function ensureMerchantFile(dataDir: string, apiUrl: string): { file: string; config: MerchantConfig } {
  const dir = join(dataDir, 'payments');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'merchant.json');
  let secret = randomBytes(32).toString('hex');
  let merchantCode = 'MOTCUA-LOCAL';
  if (existsSync(file)) {
    const previous = JSON.parse(readFileSync(file, 'utf8')) as Partial<MerchantConfig>;
    if (typeof previous.secret === 'string' && previous.secret.length >= 16) secret = previous.secret;
    if (typeof previous.merchantCode === 'string') merchantCode = previous.merchantCode;
  }
  const config: MerchantConfig = { provider: 'paygov', merchantCode, secret, payUrl: `${apiUrl}${simulatorPrefix}`, apiUrl: `${apiUrl}${simulatorPrefix}/api` };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return { file, config };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const json = (status: number, value: unknown): SimulatorAnswer => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(value)) });
const html = (status: number, page: string): SimulatorAnswer => ({ status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(page) });

const controlSchema = z
  .object({
    ref: z.string().min(1).max(40),
    outcome: z.enum(['paid', 'failed']),
    /**
     * how the callback is sent: `normal` once; `duplicate` twice; `out-of-order` the success then a
     * pending (3) notification; `bad-signature` one signed with another secret; `tampered` a copy whose
     * amount was changed after signing; `wrong-amount` a correctly signed one for another amount; `none`
     * no callback at all (for the reconciliation)
     */
    send: z.array(z.enum(['normal', 'duplicate', 'out-of-order', 'bad-signature', 'tampered', 'wrong-amount', 'none'])).min(1).default(['normal']),
    /** send the callbacks this many milliseconds later, in the background */
    delayMs: z.number().int().min(0).max(600_000).default(0),
  })
  .strict();

export function createPayGovSimulator(options: { dataDir: string; apiUrl: string; logger: Logger; now: () => Date }): PayGovSimulator {
  const { file: secretFile, config } = ensureMerchantFile(options.dataDir, options.apiUrl);
  const stateFile = join(options.dataDir, 'payments', 'paygov-transactions.json');
  const transactions = new Map<string, Transaction>();
  if (existsSync(stateFile)) for (const t of JSON.parse(readFileSync(stateFile, 'utf8')) as Transaction[]) transactions.set(t.ref, t);
  const save = () => writeFileSync(stateFile, JSON.stringify([...transactions.values()], null, 2));
  const background = new Set<Promise<unknown>>();

  function callbackMessage(t: Transaction, state: string, overrides: { amountVnd?: number; secret?: string } = {}) {
    const fields = {
      LoaiBanTin: messageTypes.notify,
      PhienBan: PAYGOV_VERSION,
      MaDoiTac: config.merchantCode,
      MaThamChieu: t.ref,
      SoTien: String(overrides.amountVnd ?? t.amountVnd),
      MaGiaoDich: t.gatewayTransactionId ?? '',
      TrangThaiGD: state,
      ThoiGianGD: vnTimestamp(new Date(t.paidAt ?? options.now().toISOString())),
      MaLoi: state === transactionStates.paid ? '00' : state === transactionStates.pending ? '00' : '24',
    };
    return { ...fields, MaXacThuc: signFields(notifyFields, fields, overrides.secret ?? config.secret) };
  }

  async function post(url: string, message: object): Promise<{ status: number; answer: unknown }> {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message), signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      let answer: unknown = text;
      try {
        answer = JSON.parse(text);
      } catch {
        // keep the text
      }
      return { status: res.status, answer };
    } catch (err) {
      options.logger.error(`paygov simulator: callback to ${url} failed`, err);
      return { status: 0, answer: String(err) };
    }
  }

  function decide(t: Transaction, outcome: 'paid' | 'failed'): void {
    if (t.status !== 'pending') return;
    t.status = outcome;
    t.gatewayTransactionId = `PG${Date.now().toString(36).toUpperCase()}${randomBytes(3).toString('hex').toUpperCase()}`;
    if (outcome === 'paid') {
      t.paidAt = options.now().toISOString();
      t.receiptNumber = `NTT-${t.gatewayTransactionId}`;
    }
    save();
  }

  async function sendCallbacks(t: Transaction, modes: readonly string[]): Promise<{ mode: string; status: number; answer: unknown }[]> {
    const final = t.status === 'paid' ? transactionStates.paid : transactionStates.failed;
    const sent: { mode: string; status: number; answer: unknown }[] = [];
    const send = async (mode: string, message: object) => sent.push({ mode, ...(await post(t.notifyUrl, message)) });
    for (const mode of modes) {
      switch (mode) {
        case 'normal':
          await send(mode, callbackMessage(t, final));
          break;
        case 'duplicate':
          await send(mode, callbackMessage(t, final));
          await send(mode, callbackMessage(t, final));
          break;
        case 'out-of-order':
          await send(mode, callbackMessage(t, final));
          await send(mode, callbackMessage(t, transactionStates.pending));
          break;
        case 'bad-signature':
          await send(mode, callbackMessage(t, final, { secret: randomBytes(32).toString('hex') }));
          break;
        case 'tampered': {
          const genuine = callbackMessage(t, final);
          await send(mode, { ...genuine, SoTien: String(Math.max(1, Math.floor(t.amountVnd / 100))) });
          break;
        }
        case 'wrong-amount':
          await send(mode, callbackMessage(t, final, { amountVnd: t.amountVnd + 1000 }));
          break;
        case 'none':
          break;
      }
    }
    return sent;
  }

  function payPage(t: Transaction): string {
    const done = t.status !== 'pending';
    return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Nền tảng thanh toán (mô phỏng)</title></head>
<body style="font-family:sans-serif;max-width:36rem;margin:2rem auto">
<p><small>Môi trường mô phỏng cục bộ — không có giao dịch thật (local simulation, no real money)</small></p>
<h1>Thanh toán trực tuyến</h1>
<p>${escape(t.description)}</p>
<p>Số tiền: <strong id="amount">${t.amountVnd.toLocaleString('vi-VN')} đồng</strong></p>
<p>Mã tham chiếu: <code>${escape(t.ref)}</code></p>
${
  done
    ? `<p id="state">Giao dịch đã ${t.status === 'paid' ? 'thanh toán' : 'hủy'}.</p>`
    : `<form method="post" action="${simulatorPrefix}/pay/${encodeURIComponent(t.ref)}"><input type="hidden" name="decision" value="pay"><button type="submit" id="pay">Thanh toán (Pay)</button></form>
<form method="post" action="${simulatorPrefix}/pay/${encodeURIComponent(t.ref)}" style="margin-top:1rem"><input type="hidden" name="decision" value="cancel"><button type="submit" id="cancel">Hủy (Cancel)</button></form>`
}
</body></html>`;
  }

  const verify = (order: readonly string[], message: Record<string, unknown>): boolean => {
    const values = order.map((k) => message[k]);
    if (values.some((v) => typeof v !== 'string') || typeof message.MaXacThuc !== 'string') return false;
    return message.MaDoiTac === config.merchantCode && sameChecksum(signFields(order, Object.fromEntries(order.map((k) => [k, String(message[k])])), config.secret), message.MaXacThuc);
  };

  const parseJson = (body: Buffer): Record<string, unknown> | undefined => {
    try {
      const value = JSON.parse(body.toString('utf8')) as unknown;
      return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    config,
    secretFile,
    async handle(method, url, body) {
      const path = url.split('?')[0] ?? '';
      if (!path.startsWith(simulatorPrefix)) return undefined;
      const rest = path.slice(simulatorPrefix.length);
      if (rest === '/init' && method === 'POST') {
        const m = parseJson(body);
        if (!m || !verify(initFields, m) || m.LoaiBanTin !== messageTypes.init) return json(200, { MaLoi: '01', MoTaLoi: 'Sai mã xác thực' });
        const ref = String(m.MaThamChieu);
        if (transactions.has(ref)) return json(200, { MaLoi: '07', MoTaLoi: 'Mã tham chiếu đã tồn tại' });
        if (!/^\d+$/.test(String(m.SoTien))) return json(200, { MaLoi: '05', MoTaLoi: 'Số tiền không hợp lệ' });
        transactions.set(ref, {
          ref,
          amountVnd: Number(m.SoTien),
          description: String(m.ThongTinGiaoDich),
          returnUrl: String(m.UrlTraVe),
          notifyUrl: String(m.UrlThongBao),
          initiatedAt: options.now().toISOString(),
          status: 'pending',
        });
        save();
        return json(200, { MaLoi: '00', MoTaLoi: 'Thành công', UrlThanhToan: `${options.apiUrl}${simulatorPrefix}/pay/${encodeURIComponent(ref)}` });
      }
      const pay = /^\/pay\/([A-Za-z0-9]{1,40})$/.exec(rest);
      if (pay) {
        const t = transactions.get(pay[1]!);
        if (!t) return html(404, '<!doctype html><meta charset="utf-8"><p>Không tìm thấy giao dịch.</p>');
        if (method === 'GET') return html(200, payPage(t));
        if (method === 'POST') {
          const decision = new URLSearchParams(body.toString('utf8')).get('decision');
          if (decision !== 'pay' && decision !== 'cancel') return html(400, '<!doctype html><meta charset="utf-8"><p>decision: pay or cancel</p>');
          const wasPending = t.status === 'pending';
          decide(t, decision === 'pay' ? 'paid' : 'failed');
          // the callback reaches the merchant before the browser does, as the platform's does
          if (wasPending) await sendCallbacks(t, ['normal']);
          const back = new URL(t.returnUrl);
          back.searchParams.set('MaThamChieu', t.ref);
          return { status: 303, headers: { location: back.toString(), 'content-type': 'text/plain' }, body: Buffer.from('') };
        }
      }
      if ((rest === '/api/status' || rest === '/api/receipt') && method === 'POST') {
        const m = parseJson(body);
        const type = rest === '/api/status' ? messageTypes.status : messageTypes.receipt;
        if (!m || !verify(queryFields, m) || m.LoaiBanTin !== type) return json(200, { MaLoi: '01', MoTaLoi: 'Sai mã xác thực' });
        const t = transactions.get(String(m.MaThamChieu));
        if (!t) return json(200, { MaLoi: '02', MoTaLoi: 'Không tìm thấy giao dịch' });
        if (type === messageTypes.receipt) return t.receiptNumber ? json(200, { MaLoi: '00', SoBienLai: t.receiptNumber }) : json(200, { MaLoi: '06', MoTaLoi: 'Giao dịch chưa thanh toán' });
        const state = t.status === 'paid' ? transactionStates.paid : t.status === 'failed' ? transactionStates.failed : transactionStates.pending;
        return json(200, { MaLoi: '00', TrangThaiGD: state, SoTien: String(t.amountVnd), ...(t.gatewayTransactionId ? { MaGiaoDich: t.gatewayTransactionId } : {}) });
      }
      if (rest === '/control' && method === 'POST') {
        const parsed = controlSchema.safeParse(parseJson(body) ?? {});
        if (!parsed.success) return json(400, { error: { code: 'invalid_input', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
        const t = transactions.get(parsed.data.ref);
        if (!t) return json(404, { error: { code: 'not_found', message: `no transaction ${parsed.data.ref}` } });
        decide(t, parsed.data.outcome);
        if (parsed.data.delayMs > 0) {
          const later = new Promise((resolve) => setTimeout(resolve, parsed.data.delayMs)).then(() => sendCallbacks(t, parsed.data.send));
          background.add(later);
          void later.finally(() => background.delete(later));
          return json(202, { ref: t.ref, status: t.status, scheduledInMs: parsed.data.delayMs, id: randomUUID() });
        }
        return json(200, { ref: t.ref, status: t.status, callbacks: await sendCallbacks(t, parsed.data.send) });
      }
      if (rest === '' || rest === '/') {
        const rows = [...transactions.values()].reverse().slice(0, 50).map((t) => `<li><a href="${simulatorPrefix}/pay/${encodeURIComponent(t.ref)}">${escape(t.ref)}</a> — ${t.amountVnd.toLocaleString('vi-VN')} đ — ${t.status}</li>`);
        return html(200, `<!doctype html><html lang="vi"><meta charset="utf-8"><title>PayGov (mô phỏng)</title><h1>Nền tảng thanh toán — mô phỏng cục bộ</h1><ul>${rows.join('')}</ul></html>`);
      }
      return json(404, { MaLoi: '99', MoTaLoi: 'Not Found' });
    },
    async settled() {
      await Promise.all([...background]);
    },
  };
}
