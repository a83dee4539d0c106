import type { Dossier, DossierEvent } from '../domain/dossier.js';
import type { DocumentRecord, DocumentType, Inspection } from '../domain/documents.js';
import type { DigestEntry, Outgoing, OutgoingEmail, OutgoingSms } from '../domain/notifications.js';
import type { GatewayId, NotificationDecision, Payment, PaymentStatus, VerifiedNotification } from '../domain/payments.js';
import type { Counts, EventToCount, Period, Scope } from '../domain/statistics.js';
import type { StatusCode } from '../domain/status.js';
import type { WorkflowDossier } from '../domain/workflow.js';
import type { unsyncedAttributes } from '../declaration.js';

/**
 * What the use cases need of the world, and nothing of how it is done: the adapters (functions/adapters)
 * implement these, the deps modules wire them, and a test can hand a use case a fake. A use case imports
 * this module and the domain, never an adapter.
 */

// ---------------------------------------------------------------------------------------------- time

/**
 * The two times of one request. `now` is business time: deadlines, working days and every timestamp the
 * dossier records (locally a settable clock, so that a demo can walk across weekends and holidays).
 * `wallClock` is the real time, for what runs on it: presigned URL expiry and DynamoDB TTL.
 */
export interface Clock {
  readonly now: Date;
  readonly wallClock: Date;
}

/**
 * Admission of a submission: at most a few touch storage at once in a process, and one that could not
 * finish before `deadline` (epoch ms) is refused first with 503, nothing written.
 */
export type Admission = <T>(deadline: number | undefined, work: () => Promise<T>) => Promise<T>;

// ------------------------------------------------------------------------------------------ tracking PIN

/** The tracking PIN of a dossier: derived from its code with a key of the stack, stored only as a keyed hash. */
export interface PinHasher {
  /** the PIN printed on the receipt, recomputed whenever an answer must show it again */
  pinFor(code: string): Promise<string>;
  /** the PIN and the hash a new dossier stores */
  newPin(code: string): Promise<{ pin: string; hash: string }>;
  verify(code: string, pin: string, stored: string | undefined): Promise<boolean>;
}

// ------------------------------------------------------------------------------------------ dossiers

export interface IdempotencyClaim {
  readonly subject: string;
  readonly key: string;
  /** hash of the request, so the same key with a different body is refused instead of replayed */
  readonly requestHash: string;
}

export interface CreateOutcome {
  readonly dossier: Dossier;
  readonly replayed: boolean;
  /** the history as stored: the first event of a fresh dossier, or what a replay read back */
  readonly history: readonly DossierEvent[];
}

export interface SubmitInput {
  readonly agencyId: string;
  readonly agencyCode: string;
  /** yyMMdd, local day of submission */
  readonly day: string;
  readonly at: Date;
  readonly idempotency?: IdempotencyClaim;
  /** epoch ms by which the request must have answered (the function's timeout) */
  readonly deadline?: number;
  /** builds the dossier and its first event once the code is known */
  readonly build: (code: string) => Promise<{ dossier: Dossier; event: DossierEvent }>;
}

export interface DraftInput {
  /** the draft, its `code` being its draft id */
  readonly draft: Dossier;
  readonly at: Date;
  readonly maxOpenDrafts: number;
  readonly idempotency?: IdempotencyClaim;
}

export interface SubmitDraftInput {
  /** the draft as read, its `code` being its draft id */
  readonly draft: WorkflowDossier;
  readonly day: string;
  readonly at: Date;
  /** epoch ms by which the request must have answered (the function's timeout) */
  readonly deadline?: number;
  readonly build: (code: string) => Promise<{ dossier: WorkflowDossier; event: DossierEvent }>;
}

/** A dossier as read whole: its history, its documents and its payments share its partition. */
export interface StoredDossier {
  readonly dossier: WorkflowDossier;
  readonly history: DossierEvent[];
  readonly documents: DocumentRecord[];
  readonly payments: Payment[];
  /** the last step's event, in `history` too, whose history item is not written yet (see DossierStore.saveTransition) */
  readonly unrecorded?: DossierEvent;
  /** upload slots issued in the dossier's partition, read before its documents (DocumentSlots.putSlotOnce) */
  readonly slotsIssued?: number;
}

export type InboxFilter = { readonly status: StatusCode } | { readonly state: 'open' | 'closed' };

/** A page asked for by `viewer` (`<role>:<subject>`), to whom its cursors are bound. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly viewer: string;
}

export interface InboxPage {
  /** as the index projects them: `inboxAttributes` (gsi1, gsi3) or `applicantListAttributes` (gsi2) of declaration.ts, not whole dossiers */
  readonly items: WorkflowDossier[];
  readonly nextCursor?: string;
}

/** The dossiers: created, stepped, marked and read. A stale write is refused with 409 version_conflict. */
export interface DossierStore {
  /** one-step submission, under a number of the agency's day; replayed for the same Idempotency-Key */
  submit(input: SubmitInput): Promise<CreateOutcome>;
  createDraft(input: DraftInput): Promise<CreateOutcome>;
  /** a draft becomes a dossier under a number; a repeated submit gets the same dossier */
  submitDraft(input: SubmitDraftInput): Promise<{ dossier: WorkflowDossier; event?: DossierEvent; replayed: boolean }>;
  /** a workflow step, only if nobody changed the dossier since `expectedVersion` was read */
  /** `read`: the dossier as read for the step; its unrecorded last event is written before the step */
  saveTransition(expectedVersion: number, dossier: WorkflowDossier, event: DossierEvent, read?: Pick<StoredDossier, 'dossier' | 'unrecorded'>): Promise<void>;
  /** a sweeper mark and its history event, without changing the version officials act on */
  saveMark(judged: WorkflowDossier, mark: 'overdueAt' | 'reminderSentAt', event: DossierEvent, marked: WorkflowDossier): Promise<void>;
  get(code: string): Promise<StoredDossier | undefined>;
  /** only what the public tracking page may read; a draft is not tracked */
  getForTracking(code: string): Promise<{ dossier: WorkflowDossier; history: DossierEvent[] } | undefined>;
}

/** The lists of dossiers: an agency's inboxes and an applicant's own. */
export interface DossierLists {
  inbox(agencyId: string, filter: InboxFilter, request: PageRequest): Promise<InboxPage>;
  listByApplicant(subject: string, request: PageRequest): Promise<InboxPage>;
}

/** The tracking page's PIN attempts per dossier, counted in a window (see domain/tracking.ts). */
export interface TrackingAttemptStore {
  trackingFailures(code: string): Promise<{ failures: number; windowStart: string } | undefined>;
  /** takes one attempt before the PIN is evaluated; false once `max` were taken in the window */
  takeTrackingAttempt(code: string, now: Date, max: number, windowMs: number): Promise<boolean>;
  returnTrackingAttempt(code: string): Promise<void>;
}

/** Open dossiers of an agency whose legal appointment is before a bound, for the deadline sweeper. */
export interface DeadlineCandidates {
  /** dossiers as the index holds them: the `inboxAttributes` only */
  openDueBefore(agencyId: string, before: Date): AsyncGenerator<WorkflowDossier>;
  /** the whole dossier item, as a mark's event must carry it; strongly consistent, so it is the version judged again */
  dossier(code: string): Promise<WorkflowDossier | undefined>;
}

// ------------------------------------------------------------------------------------------ documents

export type VerificationOutcome =
  | { readonly status: 'verified'; readonly size: number; readonly type: DocumentType; readonly sha256: string; readonly at: string; readonly versionId?: string }
  | { readonly status: 'rejected'; readonly size: number; readonly sha256?: string; readonly reason: string; readonly reasonVi: string; readonly at: string };

/** The upload slots of a dossier's documents and results. */
export interface DocumentSlots {
  putSlot(record: DocumentRecord): Promise<void>;
  /**
   * A new slot, only if no other was issued in its partition since `issuedBefore` (StoredDossier.slotsIssued)
   * was read; 'exists': a slot with this id is there already (a concurrent request with the same
   * Idempotency-Key); 'moved': another slot came first, the limits must be checked again.
   */
  putSlotOnce(record: DocumentRecord, issuedBefore: number): Promise<'stored' | 'exists' | 'moved'>;
  extendSlot(code: string, id: string, expiresAt: number): Promise<void>;
  /** false if it is no longer pending (or gone) */
  cancelSlot(code: string, id: string): Promise<boolean>;
  get(code: string, id: string): Promise<DocumentRecord | undefined>;
  recordVerification(code: string, id: string, outcome: VerificationOutcome): Promise<boolean>;
}

/** The files themselves: presigned URLs, what the verifier reads, and quarantine. */
/** Presigned URLs of the document bucket: all the routes need of it. */
export interface FileUrls {
  presignPut(key: string, expiresIn: number, contentLength: number): Promise<string>;
  presignGet(key: string, expiresIn: number, file: { fileName: string; contentType: string; versionId?: string }): Promise<string>;
}

/** The bucket as the verifier reads and moves objects. */
export interface FileStore {
  size(key: string, versionId?: string): Promise<number | undefined>;
  /** undefined: there is no such object (or version) any more */
  inspect(key: string, versionId?: string): Promise<Inspection | undefined>;
  /** where it was moved; undefined: there was no such object (or version) to move */
  quarantine(key: string, versionId?: string): Promise<string | undefined>;
}

// ------------------------------------------------------------------------------------------ payments

export interface NotificationAttempt {
  readonly id: string;
  readonly at: string;
  readonly gateway: string;
  /** what the message claimed (even unverified), for the record */
  readonly ref: string;
  readonly source: 'notification' | 'reconciliation';
  readonly verdict: string;
  readonly code?: string;
  readonly amountVnd?: number;
  readonly gatewayTransactionId?: string;
  readonly sourceIp?: string;
  readonly detail?: string;
}

/** Someone else changed the payment (or its dossier) first: read again and decide again. */
export class PaymentConflict extends Error {
  constructor() {
    super('the payment or its dossier changed while it was being written');
    this.name = 'PaymentConflict';
  }
}

export interface PaymentStore {
  forDossier(code: string): Promise<Payment[]>;
  byRef(ref: string): Promise<{ payment: Payment; dossier: WorkflowDossier; history: DossierEvent[] } | undefined>;
  stateByRef(ref: string): Promise<Pick<Payment, 'ref' | 'status' | 'amountVnd' | 'dossierCode'> | undefined>;
  /** throws PaymentConflict when the open payment of the purpose is no longer `previousRef` */
  create(payment: Payment, previousRef: string | undefined): Promise<void>;
  openRef(code: string, purpose: string): Promise<string | undefined>;
  /** throws PaymentConflict when the payment or the dossier changed since they were read */
  settle(from: PaymentStatus, next: Payment, attempt: NotificationAttempt, step?: { expectedVersion: number; dossier: WorkflowDossier; event: DossierEvent }): Promise<void>;
  recordAttempt(attempt: NotificationAttempt): Promise<void>;
  attempts(ref: string): Promise<NotificationAttempt[]>;
  initiatedBefore(initiatedBefore: string): AsyncGenerator<Payment>;
  markRefundDue(p: Payment, reason: string, at: string): Promise<boolean>;
}

/** The merchant's enrolment with one gateway: from Secrets Manager in the cloud, the data folder locally. */
export interface MerchantConfig {
  readonly provider: GatewayId;
  /** MaDoiTac / vnp_TmnCode: the merchant code the gateway gave the province */
  readonly merchantCode: string;
  /** the shared secret of the checksums; never logged, never in the province file */
  readonly secret: string;
  /** where INIT is sent (PayGov) or the browser is sent (VNPay) */
  readonly payUrl: string;
  /** the server-to-server API: status query (and receipts for PayGov) */
  readonly apiUrl: string;
}

export interface InitRequest {
  readonly payment: Payment;
  /** where the gateway sends the browser back (it only shows the state) */
  readonly returnUrl: string;
  /** where the gateway sends its server-to-server notification */
  readonly notifyUrl: string;
  /** the applicant's IP as API Gateway saw it */
  readonly clientIp: string;
  readonly now: Date;
}

/** What a gateway callback looked like on the wire, whatever its protocol (JSON body, query string). */
export interface RawNotification {
  readonly body?: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly contentType?: string;
}

export type ParsedNotification =
  | { readonly ok: true; readonly notification: VerifiedNotification }
  /** `ref` is what the message claims, kept for the record of the attempt only */
  | { readonly ok: false; readonly reason: 'bad-signature' | 'malformed'; readonly ref?: string };

/** What the use case decided, for the protocol's answer. */
export type NotificationVerdict = NotificationDecision | { readonly kind: 'bad-signature' } | { readonly kind: 'malformed' };

export interface GatewayAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface GatewayStatus {
  readonly outcome: 'paid' | 'pending' | 'failed' | 'unknown';
  readonly amountVnd?: number;
  readonly gatewayTransactionId?: string;
  readonly code: string;
}

/**
 * One interface for every payment gateway. The use cases (functions/app/payments.ts) only speak this;
 * each provider maps it onto its protocol: the national Payment Platform (PayGov, `paygov.ts`) first,
 * and a commercial gateway in the style of VNPay 2.1.0 (`vnpay.ts`) to show that the interface fits both.
 */
export interface PaymentGateway {
  readonly id: GatewayId;
  /** registers the transaction and returns where the browser must go to pay */
  initiate(request: InitRequest): Promise<{ readonly payUrl: string }>;
  /** checks the checksum and maps the fields; never trusts anything before the checksum matched */
  parseNotification(raw: RawNotification): ParsedNotification;
  /** the answer the protocol expects for what was decided */
  answer(verdict: NotificationVerdict): GatewayAnswer;
  /** the status query used by the reconciliation */
  queryStatus(payment: Payment, now: Date): Promise<GatewayStatus>;
}

/** Refusals a gateway may answer with; thrown by adapters when the gateway itself refuses or is unreachable. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

// ------------------------------------------------------------------------------------------ national portal

export type SyncService = 'DongBoHoSoMC' | 'CapNhatTienDoHoSoMC';

export class PortalError extends Error {
  constructor(
    message: string,
    /** false when the portal refused the message itself: sending it again unchanged will not help */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'PortalError';
  }
}

/** The national portal's sync API (DVCQG). */
export interface NationalPortalClient {
  /** one service call; answers the portal's message when it refuses */
  call(service: SyncService, data: readonly unknown[], isUpdating: boolean): Promise<{ ok: true } | { ok: false; message: string }>;
}

export interface SyncState {
  readonly code: string;
  readonly seenVersion: number;
  readonly seenStatus: number;
  readonly syncedVersion?: number;
  readonly syncedStatus?: number;
  readonly syncedAt?: string;
  readonly lastError?: string;
  readonly failures?: number;
}

/** What gsi1 projects of a sync state (declaration.ts), all the reconciliation reads of it. */
export type UnsyncedState = Pick<SyncState, (typeof unsyncedAttributes)[number]>;

export interface SyncStates {
  get(code: string): Promise<SyncState | undefined>;
  /**
   * records that the table holds `version` of a dossier, which the portal is behind on until it is marked
   * synced; the first sighting also counts the dossier. `read`: the state as the caller just read it
   */
  observe(code: string, version: number, status: number, at: string, read?: { readonly state: SyncState | undefined }): Promise<SyncState>;
  /** the portal accepted a version sent on the state `read` before the send: created synced if there was none */
  recordSynced(code: string, version: number, status: number, at: string, read: { readonly state: SyncState | undefined }): Promise<void>;
  markSynced(code: string, version: number, status: number, at: string): Promise<void>;
  markFailed(code: string, error: string): Promise<void>;
  /** dossiers the portal is behind on, oldest change first within each shard, as the index holds them (`unsyncedAttributes` of declaration.ts) */
  unsynced(limitPerShard?: number): Promise<UnsyncedState[]>;
  counts(): Promise<{ dossiers: number; unsynced: number }>;
}

// ------------------------------------------------------------------------------------------ statistics

/** What counting a batch came to: the events counted before (redelivered), and those not counted, with why. */
export interface CountOutcome {
  readonly before: readonly EventToCount[];
  readonly failed: readonly { readonly event: EventToCount; readonly error: unknown }[];
}

export interface StatsStore {
  /** counts each event exactly once */
  countAll(events: readonly EventToCount[], now: Date): Promise<CountOutcome>;
  read(scopes: readonly Scope[], periods: readonly Period[], options?: { readonly consistent?: boolean }): Promise<Map<Scope, Counts>>;
}

// ------------------------------------------------------------------------------------------ notifications

/**
 * `claimed`: the marker is this attempt's, and `finished` names its parts (messages) an earlier attempt
 * sent or parked; `done`: every part was; `busy`: another attempt holds the marker.
 */
export type ClaimOutcome = { readonly outcome: 'claimed'; readonly finished: readonly string[] } | { readonly outcome: 'done' } | { readonly outcome: 'busy' };

/** What became of one message of a marker. */
export interface PartResult {
  readonly state: 'sent' | 'dead-lettered';
  readonly providerId?: string;
  readonly error?: string;
  readonly attempts: number;
}

export interface DigestItem {
  readonly agencyId: string;
  readonly entries: readonly DigestEntry[];
  readonly sentAt?: string;
}

/**
 * The markers of sends (at most once per event and channel: one marker per event, one part per message)
 * and the agencies' hourly digests.
 */
export interface NotificationStore {
  claim(key: string, now: Date, leaseMs: number): Promise<ClaimOutcome>;
  /** Records parts finished so far on a marker still held (before a long wait for another part). */
  recordParts(key: string, parts: Readonly<Record<string, PartResult>>, now: Date): Promise<void>;
  /**
   * Records the parts this attempt finished, and lets the marker go: `complete` when every part of it is
   * now finished, otherwise left for a retry to claim at once (a message that could be neither sent nor
   * parked).
   */
  finish(key: string, parts: Readonly<Record<string, PartResult>>, complete: boolean, now: Date): Promise<void>;
  addToDigest(window: string, agencyId: string, entry: DigestEntry, now: Date): Promise<void>;
  digestsOf(window: string): Promise<DigestItem[]>;
  markDigestSent(window: string, agencyId: string, now: Date): Promise<void>;
}

/**
 * The two channels behind one small interface each, so that a province can plug in another provider
 * (a Vietnamese brand-name SMS gateway or Zalo ZNS for SMS) without touching the delivery rules.
 * A sender throws on failure; `permanent` marks an error that no retry can fix (a refused address).
 */
export interface EmailSender {
  send(message: OutgoingEmail, reference: string): Promise<{ providerId: string }>;
}

export interface SmsSender {
  send(message: OutgoingSms, reference: string): Promise<{ providerId: string }>;
}

export class ProviderError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface DeadLetterEntry {
  readonly key: string;
  readonly eventId?: string;
  readonly dossierCode?: string;
  readonly template: string;
  readonly message: Outgoing;
  readonly error: string;
  readonly attempts: number;
  readonly failedAt: string;
}

export interface DeadLetters {
  park(entry: DeadLetterEntry): Promise<void>;
}
