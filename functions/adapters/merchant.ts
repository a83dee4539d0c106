import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import '../domain/zod-setup.js';
import { paymentEnvironment } from '../declaration.js';
import type { MerchantConfig, PaymentGateway } from './payment-gateway.js';
import { PayGovGateway } from './paygov.js';
import { VnPayGateway } from './vnpay.js';
import { secretsClient } from './secrets-client.js';

/**
 * The merchant enrolment (code, secret, gateway URLs) is a secret: in the cloud a Secrets Manager secret
 * (PAYMENT_SECRET_ID, read at most every 5 minutes), locally a file in the data folder
 * (PAYMENT_SECRET_FILE) that `npm start` writes with a fresh random secret. Never the province file.
 */
export const merchantConfigSchema = z.strictObject({
  provider: z.enum(['paygov', 'vnpay']),
  merchantCode: z.string().check(z.minLength(1), z.maxLength(40)),
  secret: z.string().check(z.minLength(16, 'at least 16 characters')),
  payUrl: z.url(),
  apiUrl: z.url(),
});

/** How long a secret read from Secrets Manager is reused by a warm function (a rotation shows within this). */
const SECRET_CACHE_MS = 300_000;
let cached: { secretId: string; value: Promise<unknown>; at: number } | undefined;

function readSecretJson(secretId: string, nowMs: number): Promise<unknown> {
  if (cached && cached.secretId === secretId && nowMs - cached.at < SECRET_CACHE_MS) return cached.value;
  const value = secretsClient()
    .getSecretValue(secretId)
    .then((answer) => JSON.parse(answer.SecretString ?? (answer.SecretBinary ? Buffer.from(answer.SecretBinary).toString('utf8') : '')) as unknown);
  const entry = { secretId, value, at: nowMs };
  cached = entry;
  // a failed read (throttled, not yet replicated) is tried again by the next payment, not kept
  value.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return value;
}

export async function merchantConfig(): Promise<MerchantConfig> {
  const file = process.env[paymentEnvironment.secretFile];
  const secretId = process.env[paymentEnvironment.secretId];
  let raw: unknown;
  if (file) raw = JSON.parse(readFileSync(file, 'utf8'));
  else if (secretId) raw = await readSecretJson(secretId, Date.now());
  else throw new Error(`neither ${paymentEnvironment.secretId} nor ${paymentEnvironment.secretFile} is set: online payment is not configured`);
  const parsed = merchantConfigSchema.safeParse(raw);
  // never print the value: the issue names the field only
  if (!parsed.success) throw new Error(`the merchant secret is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function gatewayFor(config: MerchantConfig): PaymentGateway {
  return config.provider === 'vnpay' ? new VnPayGateway(config) : new PayGovGateway(config);
}
