import { httpRoute } from '../http/route.js';
import * as input from '../contracts/inputs.js';
import { dossierDeps } from '../adapters/deps.js';
import { nationalConfig } from '../adapters/national-portal.js';
import { signatureHeaders, verifySignature } from '../adapters/portal-signature.js';
import { receiveNationalDossier } from '../app/national-inbound.js';
import { nationalDossierSchema } from '../contracts/national.js';
import { issuesToDetails } from '../domain/dossier.js';
import { AppError, invalidInput } from '../domain/errors.js';
import { countSubmission, withMetrics } from '../http/metrics.js';
import { traced } from '../adapters/tracing.js';

const unsigned = () => new AppError('unauthenticated', 'unauthorized', 'not signed by the national portal', 'Yêu cầu không được Cổng Dịch vụ công quốc gia ký.');

const route = httpRoute(input.ReceiveNationalDossier, async ({ event, header, deadline }) => {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  const config = await nationalConfig();
  // the signature comes first: nothing about the body is read, or answered, for an unsigned request
  if (!config?.inboundSecret) throw unsigned();
  const signed = verifySignature(config.inboundSecret, { signature: header(signatureHeaders.signature), timestamp: header(signatureHeaders.timestamp) }, raw, Math.floor(Date.now() / 1000));
  if (!signed) throw unsigned();
  if (raw.length > 64 * 1024) throw new AppError('too_large', 'payload_too_large', 'body is over 64 KiB', 'Dữ liệu gửi lên quá lớn.');
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw invalidInput([{ field: 'body', message: 'not valid JSON' }]);
  }
  const parsed = nationalDossierSchema.safeParse(data);
  if (!parsed.success) throw invalidInput(issuesToDetails(parsed.error.issues));
  const result = await receiveNationalDossier(dossierDeps(), parsed.data, deadline);
  if (!result.replayed) countSubmission('national');
  return { status: result.replayed ? 200 : 201, body: result.body };
});

export const handler = traced(withMetrics(route));
