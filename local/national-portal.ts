import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { signatureHeaders, signBody } from '../functions/adapters/portal-signature.js';
import { loopback } from './support.js';

/**
 * A stand-in for the national portal (DVCQG) on loopback: it takes the sync API's login and service calls
 * as a province sends them, keeps what it received, shows it at `/`, can be told to fail, and can push a
 * dossier "submitted on the national portal" to the province's inbound route, signed like the portal.
 *
 *   POST /login, POST /sync        the sync API (INFERRED paths, see functions/adapters/national-portal.ts)
 *   GET  /                         the page: received calls, dossiers as the portal sees them, failure mode
 *   GET  /received                 the same as JSON
 *   POST /control                  {"mode":"ok"} | {"mode":"error","status":503,"count"?} | {"mode":"timeout","count"?} | {"mode":"slow","delayMs":3000}
 *   POST /push                     {"serviceId","agencyId"?,"applicant",...,"nationalCode"?} → the province's answer
 */
export type FailureMode =
  | { readonly mode: 'ok' }
  | { readonly mode: 'error'; readonly status: number; readonly count?: number }
  | { readonly mode: 'timeout'; readonly count?: number }
  | { readonly mode: 'slow'; readonly delayMs: number; readonly count?: number };

export interface ReceivedCall {
  readonly at: string;
  readonly service: string;
  readonly isUpdating: boolean;
  readonly data: readonly Record<string, unknown>[];
  readonly answer: number | string;
}

export interface SimulatedPortal {
  readonly url: string;
  readonly credentials: { readonly username: string; readonly password: string; readonly dstcode: string; readonly madonvi: string; readonly inboundSecret: string };
  received(): readonly ReceivedCall[];
  setMode(mode: FailureMode): void;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 5 * 1024 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export async function startSimulatedPortal(options: { port: number; provinceCode: string; inboundUrl: () => string }): Promise<SimulatedPortal> {
  const credentials = {
    username: 'motcua-local',
    password: randomBytes(12).toString('hex'),
    dstcode: options.provinceCode,
    madonvi: options.provinceCode,
    inboundSecret: randomBytes(24).toString('hex'),
  };
  const sessions = new Set<string>();
  const calls: ReceivedCall[] = [];
  const dossiers = new Map<string, Record<string, unknown>>();
  const progress = new Map<string, Record<string, unknown>[]>();
  let mode: FailureMode = { mode: 'ok' };
  let remaining = Infinity;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  /** true when the failure mode took the request over */
  async function failure(res: ServerResponse): Promise<boolean> {
    if (mode.mode === 'ok' || remaining <= 0) return false;
    remaining -= 1;
    if (mode.mode === 'error') {
      json(res, mode.status, { error_code: -1, message: 'simulated outage' });
      return true;
    }
    if (mode.mode === 'timeout') return true; // never answers; the client's timeout ends it
    await new Promise((r) => setTimeout(r, mode.mode === 'slow' ? mode.delayMs : 0));
    return false;
  }

  function page(): string {
    const rows = calls
      .slice(-200)
      .reverse()
      .map((c) => `<tr><td>${c.at}</td><td>${c.service}${c.isUpdating ? ' (update)' : ''}</td><td>${escapeHtml(c.data.map((d) => `${String(d.MaHoSo)} → ${String(d.TrangThaiHoSo ?? d.TrangThai)}`).join(', '))}</td><td>${c.answer}</td></tr>`)
      .join('');
    const state = [...dossiers.values()].map((d) => `<tr><td>${escapeHtml(String(d.MaHoSo))}</td><td>${escapeHtml(String(d.MaTTHC))}</td><td>${String(d.TrangThaiHoSo)}</td><td>${(progress.get(String(d.MaHoSo)) ?? []).map((p) => String(p.TrangThai)).join(' → ')}</td></tr>`).join('');
    return `<!doctype html><meta charset="utf-8"><title>Cổng DVCQG (mô phỏng)</title>
<style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}</style>
<h1>Cổng Dịch vụ công quốc gia — mô phỏng cục bộ</h1>
<p>Failure mode: <b>${escapeHtml(JSON.stringify(mode))}</b>${Number.isFinite(remaining) ? ` (${remaining} left)` : ''}. POST /control to change it, POST /push to send an inbound dossier.</p>
<h2>Dossiers as the portal sees them (${dossiers.size})</h2><table><tr><th>MaHoSo</th><th>MaTTHC</th><th>TrangThaiHoSo</th><th>progress</th></tr>${state}</table>
<h2>Calls received (${calls.length}, newest first)</h2><table><tr><th>at</th><th>service</th><th>items</th><th>answer</th></tr>${rows}</table>`;
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://portal');
      const body = req.method === 'POST' ? await readBody(req) : '';
      const parsed = (): Record<string, unknown> => {
        try {
          const value: unknown = JSON.parse(body || '{}');
          return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
        } catch {
          return {};
        }
      };
      if (req.method === 'GET' && url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(page());
      }
      if (req.method === 'GET' && url.pathname === '/received') return json(res, 200, { mode, calls, dossiers: Object.fromEntries(dossiers), progress: Object.fromEntries(progress) });
      if (req.method === 'POST' && url.pathname === '/control') {
        const next = parsed() as unknown as FailureMode & { count?: number };
        if (!['ok', 'error', 'timeout', 'slow'].includes(next.mode)) return json(res, 400, { error: 'mode: ok | error | timeout | slow' });
        mode = next.mode === 'error' ? { mode: 'error', status: Number((next as { status?: number }).status ?? 503) } : next;
        remaining = typeof next.count === 'number' ? next.count : Infinity;
        return json(res, 200, { mode, remaining: Number.isFinite(remaining) ? remaining : null });
      }
      if (req.method === 'POST' && url.pathname === '/push') {
        const dossier = parsed();
        const payload = JSON.stringify({ nationalCode: dossier.nationalCode ?? `G22.99-${Date.now()}-${randomUUID().slice(0, 6)}`, ...dossier });
        const timestamp = Math.floor(Date.now() / 1000);
        const answer = await fetch(options.inboundUrl(), {
          method: 'POST',
          headers: { 'content-type': 'application/json', [signatureHeaders.timestamp]: String(timestamp), [signatureHeaders.signature]: signBody(credentials.inboundSecret, timestamp, payload) },
          body: payload,
        });
        return json(res, answer.status, await answer.json().catch(() => ({})));
      }
      if (req.method === 'POST' && url.pathname === '/login') {
        if (await failure(res)) return;
        const { username, password } = parsed();
        if (username !== credentials.username || password !== credentials.password || req.headers.dstcode !== credentials.dstcode) {
          return json(res, 200, { error_code: 401, message: 'Sai tài khoản hoặc mật khẩu' });
        }
        const session = randomUUID();
        sessions.add(session);
        return json(res, 200, { error_code: 0, session });
      }
      if (req.method === 'POST' && url.pathname === '/sync') {
        if (await failure(res)) return;
        const message = parsed() as { session?: string; service?: string; isUpdating?: boolean; data?: Record<string, unknown>[]; madonvi?: string };
        const record = (answer: number | string) =>
          calls.push({ at: new Date().toISOString(), service: String(message.service), isUpdating: Boolean(message.isUpdating), data: message.data ?? [], answer });
        if (!message.session || !sessions.has(message.session)) return json(res, 200, { error_code: 403, message: 'session không hợp lệ' });
        if (message.madonvi !== credentials.madonvi || !Array.isArray(message.data)) {
          record(400);
          return json(res, 200, { error_code: 400, message: 'Dữ liệu không hợp lệ' });
        }
        if (message.service === 'DongBoHoSoMC') {
          const existing = message.data.find((d) => !message.isUpdating && dossiers.has(String(d.MaHoSo)));
          if (existing) {
            record('exists');
            return json(res, 200, { error_code: -1, message: `Hồ sơ ${String(existing.MaHoSo)} đã tồn tại` });
          }
          for (const d of message.data) dossiers.set(String(d.MaHoSo), d);
        } else if (message.service === 'CapNhatTienDoHoSoMC') {
          for (const p of message.data) progress.set(String(p.MaHoSo), [...(progress.get(String(p.MaHoSo)) ?? []), p]);
        } else {
          record(404);
          return json(res, 200, { error_code: 404, message: 'service không tồn tại' });
        }
        record(0);
        return json(res, 200, { error_code: 0, message: 'Thành công' });
      }
      json(res, 404, { error: 'not found' });
    })().catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${options.port} (simulated national portal) is in use: set MOTCUA_DVCQG_PORT to another port`) : err),
    );
    server.listen(options.port, loopback, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : options.port);
    });
  });
  return {
    url: `http://${loopback}:${port}`,
    credentials,
    received: () => calls,
    setMode(next) {
      mode = next;
      remaining = 'count' in next && typeof next.count === 'number' ? next.count : Infinity;
    },
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
