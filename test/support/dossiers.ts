import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
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
