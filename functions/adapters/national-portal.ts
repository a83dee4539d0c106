import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import '../domain/zod-setup.js';
import { environment } from '../declaration.js';
import { PortalError, type NationalPortalClient, type SyncService } from '../app/ports.js';
import { secretsClient } from './secrets-client.js';

export { PortalError, type SyncService } from '../app/ports.js';

/**
 * The national portal's sync API (DVCQG) as the provincial integrations use it: a session from
 * username, password and the `dstcode` header, then one POST per service call with the session in the
 * body. INFERRED: the two paths below (`/login`, `/sync`) stand for the endpoints the portal gives a
 * province with its credentials; the message shapes follow DOMAIN.md.
 */
export const nationalConfigSchema = z.object({
  /** the portal's base URL */
  url: z.url(),
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
  /** the province's code for the portal (header `dstcode`) */
  dstcode: z.string().check(z.minLength(1)),
  /** madonvi: the province's unit code in sync messages */
  madonvi: z.string().check(z.minLength(1)),
  /** HMAC key the portal signs inbound dossiers with */
  inboundSecret: z.optional(z.string().check(z.minLength(16))),
  timeoutMs: z._default(z.number().check(z.int(), z.positive(), z.lte(60_000)), 10_000),
});

export type NationalConfig = z.infer<typeof nationalConfigSchema>;

interface PortalAnswer {
  readonly error_code?: number | string;
  readonly message?: string;
  readonly session?: string;
}

export class NationalPortal implements NationalPortalClient {
  private session: string | undefined;

  constructor(private readonly config: NationalConfig) {}

  private async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<PortalAnswer> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.config.url.replace(/\/?$/, '/')), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (err) {
      throw new PortalError(`national portal unreachable: ${(err as Error).name === 'TimeoutError' ? `no answer in ${this.config.timeoutMs} ms` : (err as Error).message}`, true);
    }
    const text = await response.text();
    if (response.status >= 500 || response.status === 429) throw new PortalError(`national portal answered ${response.status}`, true);
    try {
      return JSON.parse(text) as PortalAnswer;
    } catch {
      throw new PortalError(`national portal answered ${response.status} without JSON`, response.status >= 400 ? false : true);
    }
  }

  private async login(): Promise<string> {
    const answer = await this.post('login', { username: this.config.username, password: this.config.password }, { dstcode: this.config.dstcode });
    if (Number(answer.error_code) !== 0 || !answer.session) throw new PortalError(`national portal login refused: ${answer.message ?? String(answer.error_code)}`, true);
    this.session = answer.session;
    return answer.session;
  }

  /** One service call; a refused session is renewed once. Answers the portal's message when it refuses. */
  async call(service: SyncService, data: readonly unknown[], isUpdating: boolean): Promise<{ ok: true } | { ok: false; message: string }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const session = this.session ?? (await this.login());
      const answer = await this.post('sync', { session, madonvi: this.config.madonvi, service, isUpdating, data });
      if (Number(answer.error_code) === 0) return { ok: true };
      // INFERRED: an expired session is reported with a message naming the session
      if (/session|phien/i.test(answer.message ?? '') && attempt === 0) {
        this.session = undefined;
        continue;
      }
      return { ok: false, message: answer.message ?? `error_code ${String(answer.error_code)}` };
    }
    return { ok: false, message: 'session refused twice' };
  }
}

let cached: { key: string; config: NationalConfig | undefined; at: number } | undefined;

/**
 * The credentials: from Secrets Manager in the cloud (DVCQG_SECRET_ID, read at most every 5 minutes so a
 * rotation takes effect), from a file in the data folder locally (DVCQG_CONFIG_FILE). Neither set, or a
 * secret still empty: not configured, and dossiers wait as "not in sync" for the reconciliation.
 */
export async function nationalConfig(nowMs = Date.now()): Promise<NationalConfig | undefined> {
  const secretId = process.env[environment.nationalSecretId] || undefined;
  const file = process.env[environment.nationalConfigFile] || undefined;
  const key = `${secretId ?? ''}|${file ?? ''}`;
  if (cached && cached.key === key && nowMs - cached.at < 300_000) return cached.config;
  let raw: string | undefined;
  if (secretId) {
    raw = (await secretsClient().getSecretValue(secretId)).SecretString;
  } else if (file) {
    try {
      raw = readFileSync(file, 'utf8');
    } catch {
      raw = undefined;
    }
  }
  const parsed = raw ? nationalConfigSchema.safeParse(JSON.parse(raw)) : undefined;
  cached = { key, config: parsed?.success ? parsed.data : undefined, at: nowMs };
  return cached.config;
}
