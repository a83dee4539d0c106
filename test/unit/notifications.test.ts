import { describe, expect, it } from 'vitest';
import { applyCommand, type WorkflowDossier } from '../../functions/domain/workflow.js';
import {
  applicantChannels,
  closedWindows,
  digestEntryOf,
  planApplicantNotifications,
  render,
  renderDigest,
  TemplateError,
  withoutDiacritics,
  type ApplicantContact,
  type StoredDossierEvent,
} from '../../functions/domain/notifications.js';
import { dossierSnapshot } from '../../functions/domain/event-view.js';
import { applicantTemplates } from '../../functions/templates/index.js';
import { deliver, notifyEvent, sendDigests, type DeadLetterEntry, type DeliveryDeps } from '../../functions/app/notifications.js';
import { ProviderError } from '../../functions/adapters/notification-senders.js';
import type { ClaimOutcome } from '../../functions/adapters/notification-log.js';
import type { PartResult } from '../../functions/app/ports.js';
import type { DigestEntry, Outgoing } from '../../functions/domain/notifications.js';
import { fixtureProvince } from '../fixtures/province.js';

const base = 'https://dvc.example.vn';
const applicant = { fullName: 'Nguyễn Văn An', idNumber: '020090001234', phone: '0912345678', email: 'an@example.vn', address: 'Số 5 Lê Lợi, Lạng Sơn' };
const dossier: WorkflowDossier = {
  code: '000.00.14.H37-260302-0001', serviceId: '1.001023', serviceCode: '1.001023.000.00.00.H37', serviceName: 'Cấp Phiếu lý lịch tư pháp',
  agencyId: 'so-tu-phap', agencyCode: '000.00.14.H37', agencyName: 'Sở Tư pháp tỉnh Lạng Sơn', applicantSubject: 'citizen-a', applicant,
  fields: { purpose: 'Xin việc' }, channel: 'online', status: 1, version: 1, submittedAt: '2026-03-02T02:00:00.000Z', updatedAt: '2026-03-02T02:00:00.000Z',
};

/** An event as the consumer reads it, its full dossier kept beside it for the contact the consumer reads by key. */
type StoredWithDossier = Omit<StoredDossierEvent, 'dossier'> & { readonly dossier: WorkflowDossier };

function stored(d: WorkflowDossier, type: string, eventId = `evt-${type}`): StoredWithDossier {
  return { eventId, type, dossierCode: d.code, version: d.version, at: d.updatedAt, actor: { kind: 'official', agencyId: d.agencyId }, from: 1, to: d.status, agencyId: d.agencyId, dossier: d };
}

const contactOf = (d: WorkflowDossier): ApplicantContact => ({ applicant: d.applicant, ...(d.notify ? { notify: d.notify } : {}) });
/** The plan for an event item as stored (the dossier's view) and the contact read from the dossier item. */
const planFor = (e: StoredWithDossier) => planApplicantNotifications({ ...e, dossier: dossierSnapshot(e.dossier) }, contactOf(e.dossier), base);

const official = { kind: 'official' as const, agencyId: 'so-tu-phap', subject: 'o-1' };
const ctx = (now: string) => ({ actor: official, now: new Date(now), calendar: fixtureProvince().calendar, processing: { amount: 5, unit: 'working-days' as const } });

describe('what each step tells the applicant', () => {
  it('sends the receipt with the appointment date of form 01 by email and SMS', () => {
    const { dossier: received, event } = applyCommand(dossier, { action: 'receive', documentsReceived: ['Tờ khai'] }, ctx('2026-03-02T02:30:00.000Z'));
    const plan = planFor({ ...event, eventId: 'e1', dossier: received });
    expect(plan.map((p) => [p.key, p.message.channel, p.template])).toEqual([
      ['e1#email', 'email', 'received'],
      ['e1#sms', 'sms', 'received'],
    ]);
    const email = plan[0]!.message as Extract<Outgoing, { channel: 'email' }>;
    expect(email.to).toBe('an@example.vn');
    expect(email.text).toContain('mẫu 01');
    expect(email.text).toContain('09/03/2026 09:30');
    expect(email.text).toContain('form 01');
    expect(plan[1]!.message.to).toBe('+84912345678');
    expect(plan[1]!.message.text).toBe('Ho so 000.00.14.H37-260302-0001 da duoc tiep nhan. Hen tra ket qua: 09/03/2026 09:30.');
  });

  it('names what is missing (form 02), the amount, the refusal reason (form 03) and the new date (form 04)', () => {
    const received = applyCommand(dossier, { action: 'receive' }, ctx('2026-03-02T02:30:00.000Z')).dossier;
    const supplement = applyCommand(received, { action: 'request-supplement', reason: 'Thiếu bản sao', missing: ['Bản sao CCCD', 'Ảnh 4x6'] }, ctx('2026-03-03T02:00:00.000Z'));
    const s = planFor({ ...supplement.event, eventId: 's', dossier: supplement.dossier });
    expect(s[0]!.message.text).toContain('Bản sao CCCD, Ảnh 4x6');
    expect(s[0]!.message.text).toContain('mẫu 02');

    const payment = applyCommand(received, { action: 'request-payment', amountVnd: 1500000, reason: 'Lệ phí' }, ctx('2026-03-03T02:00:00.000Z'));
    expect(planFor({ ...payment.event, eventId: 'p', dossier: payment.dossier })[1]!.message.text).toContain('1.500.000 dong');

    const refused = applyCommand(dossier, { action: 'refuse', reason: 'Không thuộc thẩm quyền' }, ctx('2026-03-02T03:00:00.000Z'));
    const r = planFor({ ...refused.event, eventId: 'r', dossier: refused.dossier });
    expect(r[0]!.message.text).toContain('mẫu 03');
    expect(r[1]!.message.text).toContain('Khong thuoc tham quyen');

    const apology = applyCommand(received, { action: 'apologize', reason: 'Cần xác minh', newDueAt: '2026-03-20T09:00:00.000Z' }, ctx('2026-03-04T02:00:00.000Z'));
    const a = planFor({ ...apology.event, eventId: 'a', dossier: apology.dossier });
    expect(a[0]!.message.text).toContain('mẫu 04');
    expect(a[0]!.message.text).toContain('20/03/2026 16:00');
  });

  it('gives the tracking code and link on submission and says the PIN is on the receipt, never the PIN', () => {
    const plan = planFor(stored({ ...dossier, trackingPinHash: 'scrypt$salt$hash' }, 'dossier.submitted'));
    for (const p of plan) {
      expect(p.message.text).toContain(dossier.code);
      expect(p.message.text).toContain(`${base}/#/track?code=${encodeURIComponent(dossier.code)}`);
      expect(p.message.text).not.toContain('scrypt');
    }
    expect(plan[0]!.message.text).toContain('PIN');
  });

  it('carries no personal data beyond the code, procedure and agency', () => {
    for (const type of ['dossier.submitted', 'dossier.finish', 'dossier.return']) {
      for (const p of planFor(stored(dossier, type))) {
        const all = JSON.stringify(p.message.channel === 'email' ? [p.message.subject, p.message.text] : [p.message.text]);
        for (const secret of [applicant.fullName, applicant.idNumber, applicant.address, 'Xin việc']) expect(all).not.toContain(secret);
      }
    }
  });

  it('sends nothing for steps the applicant need not hear of, or when they opted out', () => {
    expect(planFor(stored(dossier, 'dossier.start-processing'))).toEqual([]);
    expect(planFor(stored(dossier, 'dossier.overdue'))).toEqual([]);
    expect(planFor(stored({ ...dossier, notify: { optOut: true } }, 'dossier.submitted'))).toEqual([]);
  });

  it('keeps to the chosen channels and the contacts given', () => {
    expect(applicantChannels(applicant, { channels: ['sms'] })).toEqual(['sms']);
    expect(applicantChannels({ ...applicant, email: undefined }, undefined)).toEqual(['sms']);
    expect(applicantChannels({ ...applicant, email: undefined }, { channels: ['email'] })).toEqual([]);
  });

  it('fits every SMS in two unaccented segments and fills every placeholder of every template', () => {
    const long = { ...dossier, serviceName: 'x'.repeat(80), agencyName: 'Ủy ban nhân dân xã Hoàng Văn Thụ, huyện Văn Lãng' };
    const received = applyCommand(long, { action: 'receive' }, ctx('2026-03-02T02:30:00.000Z')).dossier;
    const cases: [string, WorkflowDossier][] = [
      ['dossier.submitted', long],
      ['dossier.receive', received],
      ['dossier.request-supplement', applyCommand(received, { action: 'request-supplement', reason: 'r', missing: ['Bản sao CCCD'] }, ctx('2026-03-03T02:00:00.000Z')).dossier],
      ['dossier.request-payment', applyCommand(received, { action: 'request-payment', amountVnd: 50000, reason: 'Lệ phí' }, ctx('2026-03-03T02:00:00.000Z')).dossier],
      ['dossier.refuse', applyCommand(long, { action: 'refuse', reason: 'Sai thẩm quyền' }, ctx('2026-03-03T02:00:00.000Z')).dossier],
      ['dossier.apologize', applyCommand(received, { action: 'apologize', reason: 'r', newDueAt: '2026-03-20T09:00:00.000Z' }, ctx('2026-03-03T02:00:00.000Z')).dossier],
      ['dossier.finish', received],
      ['dossier.return', received],
    ];
    expect(cases).toHaveLength(Object.keys(applicantTemplates).length);
    for (const [type, d] of cases) {
      const plan = planFor(stored(d, type));
      expect(plan).toHaveLength(2);
      const sms = plan.find((p) => p.message.channel === 'sms')!.message.text;
      expect(sms).toBe(withoutDiacritics(sms));
      expect(sms.length, `${type}: ${sms}`).toBeLessThanOrEqual(306);
    }
  });

  it('refuses to render a placeholder the event does not give', () => {
    expect(() => render('Hẹn {appointment}', { code: 'x' })).toThrow(TemplateError);
    expect(withoutDiacritics('Đã tiếp nhận hồ sơ')).toBe('Da tiep nhan ho so');
  });
});

describe("the officials' digest", () => {
  it('files new, due-tomorrow and overdue dossiers and nothing else', () => {
    expect(digestEntryOf(stored(dossier, 'dossier.submitted'))?.kind).toBe('new');
    expect(digestEntryOf(stored(dossier, 'dossier.apology-reminder'))?.kind).toBe('due-tomorrow');
    expect(digestEntryOf(stored(dossier, 'dossier.overdue'))?.kind).toBe('overdue');
    expect(digestEntryOf(stored(dossier, 'dossier.receive'))).toBeUndefined();
  });

  it('is one mail per agency and hour, one line per dossier even if an event was filed twice', () => {
    const entries: DigestEntry[] = [
      { eventId: 'a', kind: 'new', code: 'C-2', service: 'Lý lịch tư pháp', at: '2026-03-02T02:00:00Z' },
      { eventId: 'a', kind: 'new', code: 'C-2', service: 'Lý lịch tư pháp', at: '2026-03-02T02:00:00Z' },
      { eventId: 'b', kind: 'new', code: 'C-1', service: 'Lý lịch tư pháp', at: '2026-03-02T02:10:00Z' },
      { eventId: 'c', kind: 'overdue', code: 'C-0', service: 'Hộ tịch', dueAt: '2026-03-02T09:00:00.000Z', at: '2026-03-02T02:20:00Z' },
    ];
    const mail = renderDigest('Sở Tư pháp', '2026-03-02T02', entries, 'stp@example.vn');
    expect(mail.subject).toContain('3 hồ sơ');
    expect(mail.subject).toContain('02/03/2026 09:00–10:00');
    expect(mail.text.indexOf('C-1')).toBeLessThan(mail.text.indexOf('C-2'));
    expect(mail.text.split('\n').filter((l) => l.startsWith('- C-2'))).toHaveLength(2); // once in Vietnamese, once in English
    expect(mail.text).toContain('Đã quá hạn (1):');
    expect(mail.text).toContain('hạn 02/03/2026 16:00');
  });

  it('looks back at closed hours only', () => {
    expect(closedWindows(new Date('2026-03-02T10:04:00Z'), 2)).toEqual(['2026-03-02T09', '2026-03-02T08']);
  });
});

/** The marker table as DynamoDB's conditional update behaves, in memory, to exercise the delivery rules alone. */
function memoryDeps(overrides: Partial<DeliveryDeps> = {}) {
  const markers = new Map<string, { state: string; leaseUntil?: number; parts: Record<string, PartResult> }>();
  const writes: string[] = [];
  const parked: DeadLetterEntry[] = [];
  const sent: Outgoing[] = [];
  const sleeps: number[] = [];
  let clock = Date.parse('2026-03-02T02:00:00Z');
  const deps: DeliveryDeps = {
    log: {
      async claim(key, now, leaseMs): Promise<ClaimOutcome> {
        writes.push(`claim ${key}`);
        const m = markers.get(key);
        if (m && m.state !== 'partial' && !(m.state === 'sending' && (m.leaseUntil ?? 0) < now.getTime())) return { outcome: m.state === 'sending' ? 'busy' : 'done' };
        markers.set(key, { state: 'sending', leaseUntil: now.getTime() + leaseMs, parts: m?.parts ?? {} });
        return { outcome: 'claimed', finished: Object.keys(m?.parts ?? {}) };
      },
      async recordParts(key, parts) {
        writes.push(`record ${key}`);
        const m = markers.get(key)!;
        markers.set(key, { ...m, parts: { ...m.parts, ...parts } });
      },
      async finish(key, parts, complete) {
        writes.push(`finish ${key}`);
        markers.set(key, { state: complete ? 'done' : 'partial', parts: { ...markers.get(key)?.parts, ...parts } });
      },
    },
    email: { send: async (m) => (sent.push(m), { providerId: `ses-${sent.length}` }) },
    sms: { send: async (m) => (sent.push(m), { providerId: `sms-${sent.length}` }) },
    deadLetters: { park: async (e) => void parked.push(e) },
    now: () => new Date(clock),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...overrides,
  };
  return { deps, markers, writes, parked, sent, sleeps, advance: (ms: number) => (clock += ms) };
}

const sms: Outgoing = { channel: 'sms', to: '+84912345678', text: 'Ho so X da duoc tiep nhan.' };

describe('delivery', () => {
  it('sends once per event and channel however often the record comes back, with one marker for both channels', async () => {
    const { deps, sent, writes, markers } = memoryDeps();
    const event = stored(dossier, 'dossier.submitted');
    const first = await notifyEvent({ ...deps, digests: { addToDigest: async () => undefined }, contacts: { contactOf: async () => contactOf(dossier) }, baseUrl: base }, event);
    const again = await notifyEvent({ ...deps, digests: { addToDigest: async () => undefined }, contacts: { contactOf: async () => contactOf(dossier) }, baseUrl: base }, event);
    expect(first).toEqual(['sent', 'sent']);
    expect(again).toEqual(['duplicate', 'duplicate']);
    expect(sent).toHaveLength(2);
    // the email and the SMS: one claim and one finish, then one refused claim for the redelivery
    expect(writes).toEqual([`claim ${event.eventId}`, `finish ${event.eventId}`, `claim ${event.eventId}`]);
    expect(Object.keys(markers.get(event.eventId)!.parts)).toEqual([`${event.eventId}#email`, `${event.eventId}#sms`]);
  });

  it('records a message that went before waiting on a failing provider, so a crash during the wait sends only the other', async () => {
    // Prepare: the SMS gateway fails once, and the function is stopped (its timeout) during the backoff
    let smsCalls = 0;
    let killed = false;
    const { deps, sent, writes, advance } = memoryDeps({
      sms: { send: async (m) => (++smsCalls === 1 ? Promise.reject(new ProviderError('timeout', false)) : (sent.push(m), { providerId: 'sms-x' })) },
      sleep: async () => {
        if (!killed) {
          killed = true;
          throw new Error('Task timed out');
        }
      },
    });
    const event = stored(dossier, 'dossier.submitted');
    const notify = () => notifyEvent({ ...deps, digests: { addToDigest: async () => undefined }, contacts: { contactOf: async () => contactOf(dossier) }, baseUrl: base }, event);

    // Act: the first attempt dies holding the marker; the stream retries once the lease ran out
    await expect(notify()).rejects.toThrow('Task timed out');
    advance(60_001);
    const retried = await notify();

    // Assess: the email went once
    expect(retried).toEqual(['duplicate', 'sent']);
    expect(sent.map((m) => m.channel)).toEqual(['email', 'sms']);
    expect(writes).toEqual([`claim ${event.eventId}`, `record ${event.eventId}`, `claim ${event.eventId}`, `finish ${event.eventId}`]);
  });

  it('sends again only the channel that could be neither sent nor parked', async () => {
    // Prepare: the SMS gateway and the dead-letter queue are both down for the first delivery
    let down = true;
    const { deps, sent, markers } = memoryDeps({
      sms: { send: async (m) => (down ? Promise.reject(new ProviderError('timeout', false)) : (sent.push(m), { providerId: 'sms-x' })) },
      deadLetters: { park: async () => (down ? Promise.reject(new Error('SQS unavailable')) : undefined) },
    });
    const event = stored(dossier, 'dossier.submitted');
    const notify = () => notifyEvent({ ...deps, digests: { addToDigest: async () => undefined }, contacts: { contactOf: async () => contactOf(dossier) }, baseUrl: base }, event);

    // Act
    const first = await notify().then(
      () => 'notified',
      (err: Error) => err.message,
    );
    const stateAfterFailure = markers.get(event.eventId)?.state;
    down = false;
    const retried = await notify();

    // Assess: the email went once; the SMS went on the retry
    expect(first).toBe('SQS unavailable');
    expect(stateAfterFailure).toBe('partial');
    expect(retried).toEqual(['duplicate', 'sent']);
    expect(sent.map((m) => m.channel)).toEqual(['email', 'sms']);
    expect(markers.get(event.eventId)?.state).toBe('done');
  });

  it('reads the contact from the dossier item only for steps that message the applicant, and fails the record without it', async () => {
    // Prepare
    const { deps, sent } = memoryDeps();
    const read: string[] = [];
    const contacts = (found: ApplicantContact | undefined) => ({ contactOf: async (code: string) => (read.push(code), found) });
    const digests = { addToDigest: async () => undefined };

    // Act
    const overdue = await notifyEvent({ ...deps, digests, contacts: contacts(undefined), baseUrl: base }, stored(dossier, 'dossier.overdue'));
    const missing = notifyEvent({ ...deps, digests, contacts: contacts(undefined), baseUrl: base }, stored(dossier, 'dossier.submitted', 'evt-missing'));

    // Assess
    expect(overdue).toEqual([]);
    await expect(missing).rejects.toThrow(/has no dossier item/);
    expect(read).toEqual([dossier.code]);
    expect(sent).toHaveLength(0);
  });

  it('retries a failing provider with exponential backoff, then parks the message and succeeds', async () => {
    let calls = 0;
    const { deps, parked, markers, sleeps } = memoryDeps({
      sms: {
        send: async () => {
          calls += 1;
          throw new ProviderError('gateway answered 503', false);
        },
      },
    });
    await expect(deliver(deps, { key: 'e#sms', message: sms, template: 'received', eventId: 'e' })).resolves.toBe('dead-lettered');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(parked).toMatchObject([{ key: 'e#sms', attempts: 4, error: 'gateway answered 503', message: sms }]);
    expect(markers.get('e#sms')).toMatchObject({ state: 'done', parts: { 'e#sms': { state: 'dead-lettered', attempts: 4 } } });
    // a redelivery does not send or park it again
    await expect(deliver(deps, { key: 'e#sms', message: sms, template: 'received' })).resolves.toBe('duplicate');
    expect(parked).toHaveLength(1);
  });

  it('does not retry what the provider refuses for good', async () => {
    let calls = 0;
    const { deps, parked } = memoryDeps({ sms: { send: async () => (calls++, Promise.reject(new ProviderError('invalid number', true))) } });
    await deliver(deps, { key: 'k', message: sms, template: 'received' });
    expect(calls).toBe(1);
    expect(parked).toHaveLength(1);
  });

  it('leaves the marker to a retry and fails the record when the message can be neither sent nor parked, so a retry sends it', async () => {
    let down = true;
    const { deps, sent } = memoryDeps({
      sms: { send: async (m) => (down ? Promise.reject(new Error('timeout')) : (sent.push(m), { providerId: 'x' })) },
      deadLetters: { park: async () => Promise.reject(new Error('SQS unavailable')) },
    });
    await expect(deliver(deps, { key: 'k', message: sms, template: 'received' })).rejects.toThrow('SQS unavailable');
    down = false;
    await expect(deliver(deps, { key: 'k', message: sms, template: 'received' })).resolves.toBe('sent');
    expect(sent).toHaveLength(1);
  });

  it('takes over a marker whose holder crashed once its lease ran out, not before', async () => {
    const { deps, markers, sent, advance } = memoryDeps();
    markers.set('k', { state: 'sending', leaseUntil: deps.now().getTime() + 60_000, parts: {} });
    await expect(deliver(deps, { key: 'k', message: sms, template: 'received' })).rejects.toThrow(/being sent/);
    advance(60_001);
    await expect(deliver(deps, { key: 'k', message: sms, template: 'received' })).resolves.toBe('sent');
    expect(sent).toHaveLength(1);
  });

  it('mails one digest per agency and closed hour, and reports agencies without an address', async () => {
    const { deps, sent, advance } = memoryDeps();
    advance(10 * 60_000); // 02:10: the 01:00–02:00 hour closed more than the grace period ago
    const province = fixtureProvince();
    const [withMail, without] = province.agencies;
    const agencies = [{ ...withMail!, email: 'stp@example.vn' }, without!];
    const sentAt = new Map<string, string>();
    const entry: DigestEntry = { eventId: 'a', kind: 'new', code: 'C-1', service: 'S', at: '2026-03-02T01:10:00Z' };
    const digests = {
      digestsOf: async (w: string) => (w === '2026-03-02T01' ? agencies.map((a) => ({ agencyId: a.id, entries: [entry], ...(sentAt.has(`${w}${a.id}`) ? { sentAt: 'x' } : {}) })) : []),
      markDigestSent: async (w: string, id: string) => void sentAt.set(`${w}${id}`, 'x'),
    };
    const first = await sendDigests({ ...deps, digests, province: { ...province, agencies } });
    const second = await sendDigests({ ...deps, digests, province: { ...province, agencies } });
    expect(first).toEqual({ sent: 1, withoutAddress: [without!.id] });
    expect(second).toEqual({ sent: 0, withoutAddress: [] });
    expect(sent.map((m) => m.to)).toEqual(['stp@example.vn']);
  });
});
