import type { Province } from '../../provinces/schema.js';
import { ProviderError, type DeadLetters, type EmailSender, type NotificationStore, type SmsSender } from './ports.js';
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
 * - at most once per event and channel: a conditional marker is taken before the provider is called and
 *   closed after; a redelivered stream record finds it closed and sends nothing;
 * - at least once: a marker left open by a crashed attempt is taken again once its lease runs out, and a
 *   failed attempt that parked nothing gives its marker back and fails the record, so the stream retries;
 * - a provider failure is retried with exponential backoff, then the message goes to the notification
 *   dead-letter queue and the record succeeds: the workflow and the other channels never wait for it.
 * The one window left is a crash after the provider accepted and before the marker is closed: the lease
 * then expires and the message is sent again (no provider here takes an idempotency key).
 */

export type { DeadLetterEntry, DeadLetters } from './ports.js';

export interface DeliveryDeps {
  readonly log: Pick<NotificationStore, 'claim' | 'finish' | 'release'>;
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

async function attemptSend(deps: DeliveryDeps, message: Outgoing, key: string): Promise<{ ok: true; providerId: string; attempts: number } | { ok: false; error: string; attempts: number }> {
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
      if (attempt < retry.attempts) await deps.sleep(retry.baseDelayMs * 2 ** (attempt - 1));
    }
  }
  return { ok: false, error: lastError, attempts: retry.attempts };
}

/** One message on one channel, guarded by its marker. Throws only when the stream must retry the record. */
export async function deliver(
  deps: DeliveryDeps,
  item: { key: string; message: Outgoing; template: string; eventId?: string; dossierCode?: string },
): Promise<DeliveryOutcome> {
  const claimed = await deps.log.claim(item.key, deps.now(), deps.leaseMs ?? DEFAULT_LEASE_MS);
  if (claimed === 'done') return 'duplicate';
  if (claimed === 'busy') throw new MarkerBusyError(`notification ${item.key} is being sent by another attempt`);
  const result = await attemptSend(deps, item.message, item.key);
  if (result.ok) {
    await deps.log.finish(item.key, 'sent', deps.now(), { providerId: result.providerId, attempts: result.attempts });
    return 'sent';
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
  } catch (err) {
    // Nothing sent, nothing parked: hand the marker back so the stream's retry starts this send afresh.
    await deps.log.release(item.key);
    throw err;
  }
  await deps.log.finish(item.key, 'dead-lettered', deps.now(), { error: result.error, attempts: result.attempts });
  return 'dead-lettered';
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
  const outcomes: DeliveryOutcome[] = [];
  let failure: unknown;
  // read only for the steps that send the applicant something: the digest needs no contact
  const contact = applicantEventTemplates[event.type] ? await deps.contacts.contactOf(event.dossierCode) : undefined;
  if (applicantEventTemplates[event.type] && !contact) throw new Error(`dossier ${event.dossierCode} of event ${event.eventId} has no dossier item to take the contact from`);
  for (const planned of contact ? planApplicantNotifications(event, contact, deps.baseUrl) : []) {
    // Channels are independent: one that must be retried does not hold back the other.
    try {
      outcomes.push(await deliver(deps, planned));
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure) throw failure;
  return outcomes;
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
