import type { Province } from '../../provinces/schema.js';
import { ProviderError, type DeadLetters, type EmailSender, type NotificationStore, type PartResult, type SmsSender } from './ports.js';
import {
  applicantEventTemplates,
  closedWindows,
  digestEntryOf,
  digestWindow,
  planApplicantNotifications,
  renderDigest,
  type ApplicantContact,
  type Outgoing,
  type StoredDossierEvent,
} from '../domain/notifications.js';

/**
 * Delivery rules, the same for every channel:
 * - at most once per event and channel: one conditional marker per event (a part per channel's message)
 *   is taken before any provider is called and closed after, in one write for all its parts; a
 *   redelivered stream record finds it closed and sends nothing;
 * - at least once: a marker left open by a crashed attempt is taken again once its lease runs out, and a
 *   message that could be neither sent nor parked leaves its marker `partial` and fails the record, so
 *   the stream's retry sends that message (and only it) again;
 * - a provider failure is retried with exponential backoff, then the message goes to the notification
 *   dead-letter queue and the record succeeds: the workflow and the other channels never wait for it.
 * The one window left is a crash after a provider accepted a message and before its part was recorded
 * (at the marker's close, or before a later message's first retry): the lease then expires and the
 * message is sent again (no provider here takes an idempotency key).
 */

export type { DeadLetterEntry, DeadLetters } from './ports.js';

export interface DeliveryDeps {
  readonly log: Pick<NotificationStore, 'claim' | 'recordParts' | 'finish'>;
  /** undefined: the channel is not configured (no sender address); the message is dead-lettered as such */
  readonly email: EmailSender | undefined;
  readonly sms: SmsSender;
  readonly deadLetters: DeadLetters;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number };
  /** how long a claimed marker is protected from a concurrent attempt */
  readonly leaseMs?: number;
}

export const defaultRetry = { attempts: 4, baseDelayMs: 250 } as const;
export const DEFAULT_LEASE_MS = 60_000;

export type DeliveryOutcome = 'sent' | 'duplicate' | 'dead-lettered';

export class MarkerBusyError extends Error {}

async function attemptSend(
  deps: DeliveryDeps,
  message: Outgoing,
  key: string,
  beforeRetry: () => Promise<void>,
): Promise<{ ok: true; providerId: string; attempts: number } | { ok: false; error: string; attempts: number }> {
  const retry = deps.retry ?? defaultRetry;
  if (message.channel === 'email' && !deps.email) return { ok: false, error: 'email is not configured for this province (no sender address)', attempts: 0 };
  let lastError = '';
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    try {
      const { providerId } = message.channel === 'email' ? await deps.email!.send(message, key) : await deps.sms.send(message, key);
      return { ok: true, providerId, attempts: attempt };
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      if (err instanceof ProviderError && err.permanent) return { ok: false, error: lastError, attempts: attempt };
      if (attempt < retry.attempts) {
        if (attempt === 1) await beforeRetry();
        await deps.sleep(retry.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }
  return { ok: false, error: lastError, attempts: retry.attempts };
}

/** One message, with the key its dead-letter entry and its part of a marker go by. */
export interface DeliveryItem {
  readonly key: string;
  readonly message: Outgoing;
  readonly template: string;
  readonly eventId?: string;
  readonly dossierCode?: string;
}

/**
 * Messages guarded by one marker, each sent unless an earlier attempt finished it; channels are
 * independent, so one that must be retried does not hold back the others. Two writes whatever the number
 * of messages, the claim and the finish, and one more before the retries of a message that failed once
 * when an earlier one went (its part recorded). Throws only when the stream must retry the record.
 */
export async function deliverAll(deps: DeliveryDeps, markerKey: string, items: readonly DeliveryItem[]): Promise<DeliveryOutcome[]> {
  const claimed = await deps.log.claim(markerKey, deps.now(), deps.leaseMs ?? DEFAULT_LEASE_MS);
  if (claimed.outcome === 'done') return items.map(() => 'duplicate');
  if (claimed.outcome === 'busy') throw new MarkerBusyError(`notification ${markerKey} is being sent by another attempt`);
  const finished = new Set(claimed.finished);
  const outcomes: DeliveryOutcome[] = [];
  const parts: Record<string, PartResult> = {};
  let recorded = 0;
  // A provider that fails may keep this attempt for a minute of retries, past the function's timeout:
  // the messages sent before it are recorded first, so that a retry after a crash does not send them again.
  const recordSoFar = async () => {
    const done = Object.keys(parts).length;
    if (done > recorded) await deps.log.recordParts(markerKey, parts, deps.now());
    recorded = done;
  };
  let failure: unknown;
  for (const item of items) {
    if (finished.has(item.key)) {
      outcomes.push('duplicate');
      continue;
    }
    const result = await attemptSend(deps, item.message, item.key, recordSoFar);
    if (result.ok) {
      parts[item.key] = { state: 'sent', providerId: result.providerId, attempts: result.attempts };
      outcomes.push('sent');
      continue;
    }
    try {
      await deps.deadLetters.park({
        key: item.key,
        ...(item.eventId ? { eventId: item.eventId } : {}),
        ...(item.dossierCode ? { dossierCode: item.dossierCode } : {}),
        template: item.template,
        message: item.message,
        error: result.error,
        attempts: result.attempts,
        failedAt: deps.now().toISOString(),
      });
      parts[item.key] = { state: 'dead-lettered', error: result.error, attempts: result.attempts };
      outcomes.push('dead-lettered');
    } catch (err) {
      // Nothing sent, nothing parked: the part stays unfinished, so the stream's retry starts it afresh.
      failure ??= err;
    }
  }
  await deps.log.finish(markerKey, parts, failure === undefined, deps.now());
  if (failure) throw failure;
  return outcomes;
}

/** One message under a marker of its own (a digest). */
export async function deliver(deps: DeliveryDeps, item: DeliveryItem): Promise<DeliveryOutcome> {
  const [outcome] = await deliverAll(deps, item.key, [item]);
  return outcome!;
}

export interface EventNotificationDeps extends DeliveryDeps {
  readonly digests: Pick<NotificationStore, 'addToDigest'>;
  /** the applicant's contact, from the dossier item: events carry no personal data */
  readonly contacts: { contactOf(code: string): Promise<ApplicantContact | undefined> };
  readonly baseUrl: string;
}

/** Everything one stored event causes: the applicant's messages and the officials' digest line. */
export async function notifyEvent(deps: EventNotificationDeps, event: StoredDossierEvent): Promise<DeliveryOutcome[]> {
  const entry = digestEntryOf(event);
  // Filed by processing time, not event time: a window is mailed only after it closed, so a late
  // record (stream retries) still lands in a digest that has not gone yet.
  if (entry) await deps.digests.addToDigest(digestWindow(deps.now().toISOString()), event.agencyId, entry, deps.now());
  // read only for the steps that send the applicant something: the digest needs no contact
  const contact = applicantEventTemplates[event.type] ? await deps.contacts.contactOf(event.dossierCode) : undefined;
  if (applicantEventTemplates[event.type] && !contact) throw new Error(`dossier ${event.dossierCode} of event ${event.eventId} has no dossier item to take the contact from`);
  const planned = contact ? planApplicantNotifications(event, contact, deps.baseUrl) : [];
  return planned.length > 0 ? deliverAll(deps, event.eventId, planned) : [];
}

export interface DigestDeps extends DeliveryDeps {
  readonly digests: Pick<NotificationStore, 'digestsOf' | 'markDigestSent'>;
  readonly province: Province;
}

/** A window is mailed this long after it closed, so that records still in flight at the hour get in. */
export const DIGEST_GRACE_MS = 5 * 60_000;
/** How far back a sweep looks for windows not mailed yet (a day of outage is caught up). */
export const DIGEST_LOOKBACK_HOURS = 24;

export interface DigestSweep {
  readonly sent: number;
  readonly withoutAddress: string[];
}

export async function sendDigests(deps: DigestDeps): Promise<DigestSweep> {
  const now = deps.now();
  let sent = 0;
  const withoutAddress = new Set<string>();
  for (const window of closedWindows(new Date(now.getTime() - DIGEST_GRACE_MS), DIGEST_LOOKBACK_HOURS)) {
    for (const digest of await deps.digests.digestsOf(window)) {
      if (digest.sentAt || digest.entries.length === 0) continue;
      const agency = deps.province.agencies.find((a) => a.id === digest.agencyId);
      if (!agency?.email) {
        // Missing data is reported, never guessed: no address means no mail, and the sweep says so.
        withoutAddress.add(digest.agencyId);
        await deps.digests.markDigestSent(window, digest.agencyId, now);
        continue;
      }
      const outcome = await deliver(deps, { key: `digest#${window}#${agency.id}#email`, template: 'digest', message: renderDigest(agency.name, window, digest.entries, agency.email) });
      // sent, parked in the dead-letter queue, or sent before a crash: in each case this hour is done
      await deps.digests.markDigestSent(window, digest.agencyId, now);
      if (outcome === 'sent') sent += 1;
    }
  }
  return { sent, withoutAddress: [...withoutAddress] };
}
