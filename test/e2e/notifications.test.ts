import { afterAll, describe, expect, inject, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { handler as notifyEvents } from '../../functions/handlers/notify-events.js';
import { notificationDeps } from '../../functions/adapters/notification-deps.js';
import { sendDigests } from '../../functions/app/notifications.js';
import { loadProvinceFile, provinceFilePath } from '../../provinces/load.js';
import { api, tokenFor } from '../support/api.js';
import { applicant, fileDossier } from '../support/dossiers.js';

/** An enterprise registers its labour rules (Sở LĐ-TB&XH): an agency whose code sequence no other test counts. */
const labourReport = (n: number) => ({ serviceId: '2.001955', applicant: applicant(n), fields: { enterpriseName: `Công ty TNHH Minh Phát ${n}`, employeeCount: 12 } });
import { lambdaContext, streamRecord } from '../fixtures/events.js';

/**
 * Notifications end to end on the run's stack: the API writes the steps, the table stream feeds
 * NotifyEvents, and the messages land in the real SES v2 stand-in (aws-ses-v2-local) and the SMS outbox.
 */
const stack = inject('localStack');
const agencyId = 'so-lao-dong-thuong-binh-va-xa-hoi';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});
afterAll(() => {
  db.destroy();
  sqs.destroy();
});

interface StoredEmail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
}
interface Sms {
  to: string;
  text: string;
  reference?: string;
}

const emailsTo = async (address: string) =>
  ((await (await fetch(`${stack.notifications.sesUrl}/store`)).json()) as { emails: StoredEmail[] }).emails.filter((e) => e.destination.to.includes(address));
const smsTo = async (phone: string) => ((await (await fetch(stack.notifications.smsOutboxUrl)).json()) as { messages: Sms[] }).messages.filter((m) => m.to === phone);
const outage = (down: boolean) => fetch(`${stack.notifications.smsOutboxUrl}/outage`, { method: 'POST', body: JSON.stringify({ down }) });

/** Waits until both channels hold at least the expected counts, then a quiet second to catch any extra. */
async function settle(email: string | undefined, phone: string, expected: { email: number; sms: number }, timeoutMs = 25_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [e, s] = await Promise.all([email ? emailsTo(email) : Promise.resolve([]), smsTo(phone)]);
    if (e.length >= expected.email && s.length >= expected.sms) break;
    if (Date.now() > deadline) throw new Error(`expected ${expected.email} emails and ${expected.sms} SMS, got ${e.length} and ${s.length}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1500));
  return { emails: email ? await emailsTo(email) : [], sms: await smsTo(phone) };
}

/** A fresh applicant contact per test, so that messages of other tests never count. */
function contact() {
  const local = `09${String(randomInt(10_000_000, 99_999_999))}`;
  return { phone: local, e164: `+84${local.slice(1)}`, email: `notify-${local}@example.vn` };
}

async function file(n: number, c: ReturnType<typeof contact>, extra: Record<string, unknown> = {}) {
  const citizen = await tokenFor('citizen', { subject: `notify-${c.phone}` });
  const body = labourReport(n);
  const { code } = await fileDossier((p, i) => api(p, i), citizen, { ...body, applicant: { ...body.applicant, phone: c.phone, email: c.email }, ...extra });
  return { code, citizen };
}

async function act(code: string, token: string, body: Record<string, unknown>) {
  const answer = await api(`/dossiers/${encodeURIComponent(code)}/actions`, { token, body });
  expect(answer.status, `${String(body.action)}: ${answer.text}`).toBe(200);
  return answer.json;
}

/** The stored events of a dossier as the table stream delivers them (INSERT records with the new image). */
async function streamBatchOf(code: string): Promise<DynamoDBStreamEvent> {
  const page = await db.send(
    new QueryCommand({ TableName: stack.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)', ExpressionAttributeValues: { ':pk': `DOSSIER#${code}`, ':e': 'EVENT#' } }),
  );
  return {
    Records: (page.Items ?? []).map((item, i) => streamRecord(item as Record<string, unknown> & { pk: unknown; sk: unknown }, i + 1, `redelivered-${i}`)),
  };
}

describe('notifications', () => {
  it('tell the applicant of each step exactly once per channel, even when the stream delivers the batch again', { timeout: 90_000 }, async () => {
    const c = contact();
    const { code, citizen } = await file(501, c);
    const official = await tokenFor('official', { agencyId });
    const received = await act(code, official, { action: 'receive', documentsReceived: ['Nội quy lao động'] });
    await act(code, official, { action: 'request-supplement', reason: 'Thiếu bản sao giấy tờ', missing: ['Bản sao CCCD của chủ doanh nghiệp'] });
    expect((await api(`/dossiers/${encodeURIComponent(code)}/supplement`, { token: citizen, body: { note: 'Đã bổ sung' } })).status).toBe(200);
    await act(code, official, { action: 'start-processing' });
    const dueAt = (await api(`/dossiers/${encodeURIComponent(code)}`, { token: official })).json.dueAt as string;
    await act(code, official, { action: 'apologize', reason: 'Cần xác minh thông tin', newDueAt: new Date(Date.parse(dueAt) + 3 * 86_400_000).toISOString() });
    await act(code, official, { action: 'request-payment', amountVnd: 100_000, reason: 'Lệ phí đăng ký doanh nghiệp' });
    await act(code, official, { action: 'confirm-payment' });
    await act(code, official, { action: 'finish' });
    await act(code, official, { action: 'return' });

    // submitted, received, supplement requested, apology, payment requested, result ready, returned
    const first = await settle(c.email, c.e164, { email: 7, sms: 7 });
    expect(first.emails).toHaveLength(7);
    expect(first.sms).toHaveLength(7);
    const subjects = first.emails.map((e) => e.subject);
    expect(subjects[0]).toBe(`Đã nộp hồ sơ ${code} / Dossier ${code} submitted`);
    expect(subjects.some((s) => s.startsWith(`Tiếp nhận hồ sơ ${code}`))).toBe(true);
    expect(first.emails.find((e) => e.subject.includes('cần bổ sung'))?.body.text).toContain('Bản sao CCCD của chủ doanh nghiệp');
    expect(first.emails.find((e) => e.subject.includes('100.000 đồng'))).toBeDefined();
    expect(first.sms.map((m) => m.text).find((t) => t.includes('tiep nhan'))).toContain('Hen tra ket qua');
    expect(received.dossier?.receipt ?? received.receipt ?? {}).toBeDefined();
    for (const m of [...first.emails.map((e) => `${e.subject}\n${e.body.text ?? ''}`), ...first.sms.map((s) => s.text)]) {
      expect(m).not.toContain('Hoàng Thị Lan');
      expect(m).not.toContain('Lê Lợi');
    }

    // Act: the same stream batch, delivered again (as after a crash before the checkpoint)
    const batch = await streamBatchOf(code);
    expect(batch.Records).toHaveLength(10);
    const answer = await notifyEvents(batch, lambdaContext);
    expect(answer).toEqual({ batchItemFailures: [] });

    // Assess: nothing was sent twice
    const again = await settle(c.email, c.e164, { email: 7, sms: 7 });
    expect(again.emails.map((e) => e.messageId)).toEqual(first.emails.map((e) => e.messageId));
    expect(again.sms).toHaveLength(7);
  });

  it('keep to the channel the applicant chose, and send nothing to one who opted out', { timeout: 60_000 }, async () => {
    const smsOnly = contact();
    const quiet = contact();
    const official = await tokenFor('official', { agencyId });
    const a = await file(502, smsOnly, { notify: { channels: ['sms'] } });
    const b = await file(503, quiet, { notify: { optOut: true } });
    await act(a.code, official, { action: 'refuse', reason: 'Ngành nghề kinh doanh bị cấm' });
    await act(b.code, official, { action: 'refuse', reason: 'Ngành nghề kinh doanh bị cấm' });
    const got = await settle(smsOnly.email, smsOnly.e164, { email: 0, sms: 2 });
    expect(got.emails).toHaveLength(0);
    expect(got.sms.map((m) => m.text)[1]).toBe(`Ho so ${a.code} khong duoc tiep nhan. Ly do: Nganh nghe kinh doanh bi cam`);
    expect(await emailsTo(quiet.email)).toHaveLength(0);
    expect(await smsTo(quiet.e164)).toHaveLength(0);
  });

  it('park what a failing provider cannot take in the dead-letter queue while the workflow goes on', { timeout: 60_000 }, async () => {
    const c = contact();
    const { code } = await file(504, c);
    await settle(c.email, c.e164, { email: 1, sms: 1 });
    const official = await tokenFor('official', { agencyId });
    await outage(true);
    try {
      await act(code, official, { action: 'receive' });
      // the email of the same step goes out; the SMS is retried, then parked
      await settle(c.email, c.e164, { email: 2, sms: 1 });
      type Parked = { key: string; dossierCode: string; template: string; error: string; attempts: number };
      let parked: Parked | undefined;
      const deadline = Date.now() + 20_000;
      while (!parked && Date.now() < deadline) {
        const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.notifications.deadLetterUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const m of answer.Messages ?? []) {
          const body = JSON.parse(m.Body ?? '{}') as Parked;
          if (body.dossierCode !== code) continue;
          parked = body;
          await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.notifications.deadLetterUrl, ReceiptHandle: m.ReceiptHandle! }));
        }
      }
      expect(parked).toMatchObject({ template: 'received', attempts: 4 });
      expect(parked?.key).toMatch(/#sms$/);
      expect(parked?.error).toContain('503');
      // the workflow never waited: the next step is taken and notified by email as usual
      await act(code, official, { action: 'start-processing' });
      await act(code, official, { action: 'finish' });
      const after = await settle(c.email, c.e164, { email: 3, sms: 1 });
      expect(after.sms).toHaveLength(1);
    } finally {
      await outage(false);
    }
  });

  it("mail the agency's officials one digest of the hour's new dossiers, not one mail per dossier", { timeout: 60_000 }, async () => {
    const c1 = contact();
    const c2 = contact();
    const first = await file(505, c1);
    const second = await file(506, c2);
    await settle(c2.email, c2.e164, { email: 1, sms: 1 });
    const province = loadProvinceFile(provinceFilePath(stack.provinceId));
    const address = `digest-${c1.phone}@example.vn`;
    const withAddress = { ...province, agencies: province.agencies.map((a) => (a.id === agencyId ? { ...a, email: address } : a)) };
    const deps = notificationDeps();
    const later = () => new Date(Date.now() + 2 * 3_600_000);

    const sweep = await sendDigests({ ...deps, now: later, digests: deps.log, province: withAddress });
    await sendDigests({ ...deps, now: later, digests: deps.log, province: withAddress });

    expect(sweep.sent).toBeGreaterThanOrEqual(1);
    const digests = await emailsTo(address);
    expect(digests).toHaveLength(1);
    expect(digests[0]!.body.text).toContain(first.code);
    expect(digests[0]!.body.text).toContain(second.code);
    expect(digests[0]!.body.text).toContain('Hồ sơ mới nộp');
  });
});
