import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sampleJpeg, samplePdf, samplePng } from './files.js';
import { agencyMessageV1Schema, type AgencyMessageV1 } from '../../functions/contracts/agency-message.js';

/** A plausible applicant; `n` varies the identity so that tests do not share one. */
export function applicant(n = 1) {
  return {
    fullName: 'Hoàng Thị Lan',
    idNumber: String(20090000000 + n).padStart(12, '0'),
    phone: '0912345678',
    email: 'lan@example.vn',
    address: 'Số 5 đường Lê Lợi, phường Vĩnh Trại, thành phố Lạng Sơn',
  };
}

/** Private enterprise registration at Sở Kế hoạch và Đầu tư (Lạng Sơn): a level-4 procedure with a simple form. */
export const enterpriseRegistration = (n = 1) => ({
  serviceId: '2.001610',
  applicant: applicant(n),
  fields: { enterpriseName: `Doanh nghiệp tư nhân Hoàng Lan ${n}`, investedCapitalVnd: 500_000_000, mainBusinessLine: 'Bán lẻ hàng nông sản', headOfficeAddress: 'Thành phố Lạng Sơn' },
});

/**
 * Reads an agency queue until every expected dossier code has arrived and the queue then stays quiet for
 * `quietMs`, deleting what it read, and returns the messages by dossier code. Duplicates are kept, so a
 * test can assert that each dossier produced exactly one message.
 */
export async function collectAgencyMessages(
  queueUrl: string,
  expectedCodes: readonly string[],
  options: { timeoutMs?: number; quietMs?: number } = {},
): Promise<Map<string, AgencyMessageV1[]>> {
  const sqs = new SQSClient({});
  const byCode = new Map<string, AgencyMessageV1[]>();
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let quietSince = Date.now();
  try {
    for (;;) {
      const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
      const messages = answer.Messages ?? [];
      for (const m of messages) {
        const body = agencyMessageV1Schema.parse(JSON.parse(m.Body ?? '{}'));
        byCode.set(body.dossier.code, [...(byCode.get(body.dossier.code) ?? []), body]);
      }
      if (messages.length > 0) {
        quietSince = Date.now();
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
      const complete = expectedCodes.every((c) => byCode.has(c));
      if (complete && Date.now() - quietSince >= (options.quietMs ?? 1500)) return byCode;
      if (Date.now() > deadline) {
        const missing = expectedCodes.filter((c) => !byCode.has(c));
        throw new Error(`agency queue: no message for ${missing.join(', ')} within the time allowed`);
      }
    }
  } finally {
    sqs.destroy();
  }
}

/** How a test reaches an API: the shared stack's `api()`, or a call bound to a stack of the test's own. */
export type Caller = (
  path: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> },
) => Promise<{ status: number; json: any }>; // `any`: answers are read field by field and asserted on

const sampleFor = (allowed: readonly string[]): { type: string; ext: string; bytes: Buffer } =>
  allowed.includes('application/pdf')
    ? { type: 'application/pdf', ext: 'pdf', bytes: samplePdf }
    : allowed.includes('image/jpeg')
      ? { type: 'image/jpeg', ext: 'jpg', bytes: sampleJpeg }
      : { type: 'image/png', ext: 'png', bytes: samplePng };

/**
 * Files a dossier the way a citizen's portal does: create it, and when its procedure requires documents
 * (it then starts as a draft, under a draft id), upload a real file for each required component, wait
 * until each is verified, and submit. Returns the creation answer, for a draft the submission answer,
 * the dossier code (allocated at submission) and the tracking PIN (which comes with the code).
 */
export async function fileDossier(
  call: Caller,
  token: string,
  body: Record<string, unknown> & { serviceId: string },
  headers: Record<string, string> = {},
): Promise<{ created: { status: number; json: any }; submitted?: { status: number; json: any }; code: string; draftId?: string; trackingPin?: string }> {
  const created = await call('/dossiers', { method: 'POST', token, body, headers });
  if (created.status !== 201) throw new Error(`POST /dossiers answered ${created.status}: ${JSON.stringify(created.json)}`);
  if (!created.json.dossier.draft) return { created, code: created.json.code, trackingPin: created.json.trackingPin };
  const code: string = created.json.code;
  const service = await call(`/services/${body.serviceId}`, {});
  const required = (service.json.documents as { id: string; required: boolean; allowedTypes: string[] }[]).filter((d) => d.required);
  const ids: string[] = [];
  for (const component of required) {
    const sample = sampleFor(component.allowedTypes);
    const slot = await call(`/dossiers/${code}/documents`, {
      method: 'POST',
      token,
      body: { component: component.id, fileName: `${component.id}.${sample.ext}`, contentType: sample.type, size: sample.bytes.length },
    });
    if (slot.status !== 201) throw new Error(`upload slot for ${component.id}: ${slot.status} ${JSON.stringify(slot.json)}`);
    const put = await fetch(slot.json.upload.url, { method: 'PUT', body: sample.bytes });
    await put.arrayBuffer();
    if (put.status !== 200) throw new Error(`PUT ${component.id}: ${put.status}`);
    ids.push(slot.json.document.id);
  }
  // a bound on waiting, not a speed target: concurrent uploads on a loaded 2-core machine take a while
  const deadline = Date.now() + 120_000;
  for (;;) {
    const docs = ((await call(`/dossiers/${code}`, { token })).json.documents ?? []) as { id: string; status: string; reason?: string }[];
    const mine = ids.map((id) => docs.find((d) => d.id === id));
    if (mine.every((d) => d?.status === 'verified')) break;
    const rejected = mine.find((d) => d?.status === 'rejected');
    if (rejected) throw new Error(`document ${rejected.id} rejected: ${rejected.reason}`);
    if (Date.now() > deadline) throw new Error(`documents of ${code} not verified in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const submitted = await call(`/dossiers/${code}/submit`, { method: 'POST', token });
  if (submitted.status !== 200) throw new Error(`submit ${code}: ${submitted.status} ${JSON.stringify(submitted.json)}`);
  return { created, submitted, code: submitted.json.code, draftId: code, trackingPin: submitted.json.trackingPin };
}
