/**
 * The one description of the system that both runtimes read: the CDK stack (lib/) builds API Gateway
 * routes, Lambda functions, the table and the queues from it, and the local runtime (local/) serves the
 * same routes, creates the same table and queues, and feeds the same consumers. Nothing here imports
 * handler code: handlers are named by their entry file so that lib/ never pulls Lambda code into synth.
 */

export type Role = 'citizen' | 'official' | 'admin';

/** Who may call a route. `public` routes have no authorizer; the others need a valid JWT with one of the roles. */
export type Access = 'public' | readonly Role[];

/** What a function may touch; lib/ turns it into least-privilege grants, local/ ignores it. */
/**
 * Items of the table a function may touch, when not all of them: `leadingKeys` are partition-key patterns
 * (IAM `StringLike`, `*` matches any run of characters), `attributes` (reads only) the top-level attributes
 * it may see; a read with an attribute list must name them (a ProjectionExpression). Indexes are not granted.
 */
export interface TableScope {
  readonly access: 'read' | 'readwrite';
  readonly leadingKeys: readonly string[];
  readonly attributes?: readonly string[];
}

/** What the public tracking page shows of a dossier and its history, and the PIN hash it checks; no personal data. */
export const trackingAttributes = [
  'pk', 'sk', 'code', 'draft', 'submittedCode', 'serviceId', 'serviceCode', 'serviceName', 'agencyId', 'agencyCode', 'agencyName',
  'status', 'submittedAt', 'receivedAt', 'dueAt', 'resultClass', 'pendingSupplement', 'trackingPinHash', 'at', 'type', 'from', 'to',
] as const;

/** What the agency queue message carries that history events do not: the applicant and the form, read from the dossier item. */
export const agencyMessageAttributes = ['pk', 'sk', 'schemaVersion', 'applicant', 'fields'] as const;

/** What the payment return page shows of a payment; the dossier item's other attributes stay unread. */
export const paymentReturnAttributes = ['pk', 'sk', 'dossierCode', 'ref', 'status', 'amountVnd'] as const;

export interface Grants {
  /** `read`/`readwrite`: every item and index; a list of scopes: only those items */
  readonly table?: 'read' | 'readwrite' | readonly TableScope[];
  /**
   * Objects under `bucketLayout.documents` only. `read`: get (presigned downloads); `upload`: put only (presigned
   * uploads); `verify`: read, put into the quarantine prefix and delete the rejected version.
   */
  readonly bucket?: 'read' | 'upload' | 'verify';
  /** send to the agency queues */
  readonly agencyQueues?: 'send';
  /** read the per-stack secret that keys are derived from (functions/adapters/stack-secret.ts) */
  readonly secret?: 'read';
  /** send email (SES) and SMS (SNS or the configured provider), and park what fails in the notification dead-letter queue */
  readonly notify?: 'send';
  /** read the merchant secret of the payment gateway */
  readonly paymentSecret?: 'read';
  /** read the national portal (DVCQG) credentials from their secret */
  readonly nationalPortal?: 'read';
}

export interface RouteDeclaration {
  /** stable id, used for the Lambda's construct id and in logs */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `/dossiers/{code}` */
  readonly path: string;
  /** entry file relative to the repository root; it exports `handler` */
  readonly entry: string;
  readonly access: Access;
  readonly grants: Grants;
  readonly summary: string;
  /** a tighter limit than the stage's, for routes that invite guessing */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** folders of the repository copied into the function's bundle at the same relative path (fonts) */
  readonly assets?: readonly string[];
  /** public answers that may be cached this long (Cache-Control max-age, and the cache in front of the API) */
  readonly cacheSeconds?: number;
}

/**
 * The outbox's records: inserted history events, whose keys are `DOSSIER#<code>` / `EVENT#<version>`.
 * Both prefixes are filtered on, so that no other item whose sort key happens to start alike (a test's,
 * an operator's) reaches the consumers, where it would be refused and hold up its shard while retried.
 */
export const outboxKeyPrefixes = { partition: 'DOSSIER#', sort: 'EVENT#' } as const;

/**
 * The records of workflow steps: dossier items (`DOSSIER#<code>` / `DOSSIER`) modified with the step's
 * event on them (`lastEvent.version`), from which RecordHistory writes a history item whose own write
 * was cut off.
 */
export const steppedDossierKeys = { partition: 'DOSSIER#', sort: 'DOSSIER' } as const;

export type ConsumerSource =
  /**
   * the table's stream, filtered to inserted history events (`outboxKeyPrefixes`): the outbox.
   * A batch goes to the function once it holds `batchSize` records or its first record has waited
   * `batchWindowSeconds` (the event source mapping's MaximumBatchingWindowInSeconds): without a window
   * the events of a quiet hour arrive one per invocation.
   */
  | {
      readonly kind: 'table-stream';
      readonly batchSize: number;
      readonly batchWindowSeconds: number;
      readonly maxRetries: number;
      /** `steps`: the dossier items of workflow steps (`steppedDossierKeys`) instead of the outbox */
      readonly records?: 'outbox' | 'steps';
    }
  | { readonly kind: 'schedule'; readonly everyMinutes: number }
  /**
   * S3 ObjectCreated events of the document bucket under `prefix` (all keys if absent), one record per
   * event, delivered asynchronously with Lambda's two retries. Locally, s3rver's own events are delivered.
   */
  | { readonly kind: 'bucket-created'; readonly prefix?: string };

export interface ConsumerDeclaration {
  readonly id: string;
  readonly entry: string;
  readonly source: ConsumerSource;
  readonly grants: Grants;
  readonly summary: string;
}

/** The document bucket's layout: lib/ scopes grants by these prefixes, functions/domain/documents.ts names keys with them. */
export const bucketLayout = {
  /** uploaded documents and results: `dossiers/<code>/<component>/<id>` */
  documents: 'dossiers/',
  /** where the verifier moves rejected objects; a lifecycle rule expires them */
  quarantine: 'rejected/',
} as const;

/**
 * What an agency's inbox shows of a dossier and what it needs to judge its deadline (the appointment, the
 * pauses that move it, the procedure whose processing time computes it for dossiers stored before
 * `legalDueAt`), and what the deadline sweeper judges by. Everything else (form fields, the applicant's
 * channels, fees, the PIN hash) stays in the table: an index holding the whole item would copy it on
 * every status change.
 */
export const inboxAttributes = [
  'code', 'serviceId', 'serviceVersion', 'serviceName', 'agencyId', 'status', 'version', 'applicant', 'submittedAt', 'receivedAt', 'dueAt',
  'legalDueAt', 'pauses', 'apologies', 'resultClass', 'overdueAt', 'reminderSentAt',
] as const;

/** What the applicant's list of their own dossiers shows. */
export const applicantListAttributes = ['code', 'serviceId', 'serviceName', 'status', 'submittedAt', 'dueAt', 'draft'] as const;

/** What the national-portal reconciliation reads of a sync state from the sparse `DVCQG#UNSYNCED` partitions of gsi1. */
export const unsyncedAttributes = ['code', 'syncedVersion', 'syncedStatus', 'lastError'] as const;

/**
 * An index copies only the keys and these attributes of each item it holds (DynamoDB's INCLUDE
 * projection); a reader that needs more fetches the item by its key (the sweeper before it marks, the
 * payment reconciliation).
 */
export interface IndexDeclaration {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly projected: readonly string[];
}

/** Single-table layout. Attribute names are generic so that one table serves every access pattern. */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    /**
     * agency inbox: gsi1pk = `AGENCY#<agencyId>#<status>`, gsi1sk = `<due date ISO>#<code>`; also the
     * initiated payments (`PAYMENTS#INITIATED`, keys only are read) and the unsynced dossiers (`DVCQG#UNSYNCED#<shard>`)
     */
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projected: [...new Set([...inboxAttributes, ...unsyncedAttributes])] },
    /** applicant's dossiers: gsi2pk = `APPLICANT#<subject>`, gsi2sk = `<submittedAt>#<code>` */
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projected: applicantListAttributes },
    /** agency work list across statuses and the sweeper: gsi3pk = `AGENCY#<agencyId>#OPEN|CLOSED`, gsi3sk = `<due or submitted ISO>#<code>` */
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projected: inboxAttributes },
  ] satisfies readonly IndexDeclaration[],
  /** the outbox: history events are published from the stream, never from the request path */
  stream: 'NEW_IMAGE',
  timeToLiveAttribute: 'expiresAt',
} as const;

/** One standard queue (with its dead-letter queue) per agency; names are derived, never listed twice. */
export const agencyQueue = {
  /** `motcua-<province>-agency-<agencyId>`; agency ids are slugs, so the name is a valid queue name */
  name: (provinceId: string, agencyId: string): string => `motcua-${provinceId}-agency-${agencyId}`,
  deadLetterName: (provinceId: string, agencyId: string): string => `motcua-${provinceId}-agency-${agencyId}-dlq`,
  /** a consumer has this long to process a message before it becomes visible again */
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  retentionDays: 14,
} as const;

/** Notifications that failed every attempt wait here (the workflow never waits for a provider). */
export const notificationQueue = {
  deadLetterName: (provinceId: string): string => `motcua-${provinceId}-notifications-dlq`,
  retentionDays: 14,
} as const;

/*
 * Each route is its own constant so that a function bundle keeps only its own route's declaration: a handler
 * reaches it through its input contract (functions/contracts/inputs.ts), and esbuild drops the others.
 */
export const ListServices = {
  id: 'ListServices',
  method: 'GET',
  path: '/services',
  entry: 'functions/handlers/services-list.ts',
  access: 'public',
  grants: {},
  summary: 'Search the province catalog of procedures',
} as const satisfies RouteDeclaration;

export const GetService = {
  id: 'GetService',
  method: 'GET',
  path: '/services/{id}',
  entry: 'functions/handlers/services-get.ts',
  access: 'public',
  grants: {},
  summary: 'One procedure with its form fields, documents, fees and processing time',
} as const satisfies RouteDeclaration;

export const ListAgencies = {
  id: 'ListAgencies',
  method: 'GET',
  path: '/agencies',
  entry: 'functions/handlers/agencies-list.ts',
  access: 'public',
  grants: {},
  summary: 'The agencies of the province',
} as const satisfies RouteDeclaration;

export const CreateDossier = {
  id: 'CreateDossier',
  method: 'POST',
  path: '/dossiers',
  entry: 'functions/handlers/dossiers-create.ts',
  access: ['citizen'],
  grants: { table: 'readwrite', secret: 'read' },
  summary: 'Submit a dossier for a procedure',
} as const satisfies RouteDeclaration;

export const ListMyDossiers = {
  id: 'ListMyDossiers',
  method: 'GET',
  path: '/dossiers',
  entry: 'functions/handlers/dossiers-mine.ts',
  access: ['citizen'],
  grants: { table: 'read', secret: 'read' },
  summary: "The caller's own dossiers, newest first",
} as const satisfies RouteDeclaration;

export const TrackDossier = {
  id: 'TrackDossier',
  method: 'GET',
  path: '/track/{code}',
  entry: 'functions/handlers/dossiers-track.ts',
  access: 'public',
  // the failure counter, and of the dossier partition only what the page shows (never personal data)
  grants: {
    table: [
      { access: 'readwrite', leadingKeys: ['TRACKING#*'] },
      { access: 'read', leadingKeys: ['DOSSIER#*'], attributes: trackingAttributes },
    ],
    secret: 'read',
  },
  summary: 'Follow a dossier with the code and PIN printed on its receipt, without an account',
  // PINs are short: besides the per-dossier lock, slow down whoever tries many dossiers
  throttle: { rateLimit: 5, burstLimit: 10 },
} as const satisfies RouteDeclaration;

export const GetDossier = {
  id: 'GetDossier',
  method: 'GET',
  path: '/dossiers/{code}',
  entry: 'functions/handlers/dossiers-get.ts',
  access: ['citizen', 'official', 'admin'],
  grants: { table: 'read' },
  summary: 'Status, timestamps and responsible agency of one dossier',
} as const satisfies RouteDeclaration;

export const ListAgencyDossiers = {
  id: 'ListAgencyDossiers',
  method: 'GET',
  path: '/agencies/{id}/dossiers',
  entry: 'functions/handlers/agency-dossiers.ts',
  access: ['official', 'admin'],
  grants: { table: 'read', secret: 'read' },
  summary: "An agency's inbox: its dossiers by status, soonest appointment first",
} as const satisfies RouteDeclaration;

export const RegisterDeskDossier = {
  id: 'RegisterDeskDossier',
  method: 'POST',
  // the inbox's path: API Gateway wants one name for the same path variable
  path: '/agencies/{id}/dossiers',
  entry: 'functions/handlers/agency-dossiers-register.ts',
  access: ['official'],
  grants: { table: 'readwrite', secret: 'read' },
  summary: 'An official of the agency registers a dossier received at the one-stop desk or by post, for the citizen who brought or sent it',
} as const satisfies RouteDeclaration;

export const ActOnDossier = {
  id: 'ActOnDossier',
  method: 'POST',
  path: '/dossiers/{code}/actions',
  entry: 'functions/handlers/dossiers-act.ts',
  access: ['official', 'citizen'],
  grants: { table: 'readwrite' },
  summary: 'One step of the one-stop workflow (receive, refuse, request a supplement, process, finish, return, apologise, withdraw)',
} as const satisfies RouteDeclaration;

export const SupplementDossier = {
  id: 'SupplementDossier',
  method: 'POST',
  path: '/dossiers/{code}/supplement',
  entry: 'functions/handlers/dossiers-supplement.ts',
  access: ['citizen', 'official'],
  grants: { table: 'readwrite' },
  summary: 'The applicant (or, for a dossier received at the desk or by post, its agency) answers a supplement request',
} as const satisfies RouteDeclaration;

export const RateDossier = {
  id: 'RateDossier',
  method: 'POST',
  path: '/dossiers/{code}/rating',
  entry: 'functions/handlers/dossiers-rate.ts',
  access: ['citizen'],
  grants: { table: 'readwrite' },
  summary: 'The applicant rates the service once the result is returned',
} as const satisfies RouteDeclaration;

export const UploadDocument = {
  id: 'UploadDocument',
  method: 'POST',
  path: '/dossiers/{code}/documents',
  entry: 'functions/handlers/documents-upload.ts',
  access: ['citizen', 'official'],
  grants: { table: 'readwrite', bucket: 'upload' },
  summary: 'The applicant (or, for a dossier received at the desk or by post, its agency) asks for a presigned PUT URL for one file of one document component',
} as const satisfies RouteDeclaration;

export const CancelDocument = {
  id: 'CancelDocument',
  method: 'DELETE',
  path: '/dossiers/{code}/documents/{id}',
  entry: 'functions/handlers/documents-cancel.ts',
  access: ['citizen', 'official'],
  grants: { table: 'readwrite' },
  summary: 'Whoever may upload to the dossier cancels an upload slot whose file has not arrived',
} as const satisfies RouteDeclaration;

export const SubmitDossier = {
  id: 'SubmitDossier',
  method: 'POST',
  path: '/dossiers/{code}/submit',
  entry: 'functions/handlers/dossiers-submit.ts',
  access: ['citizen'],
  grants: { table: 'readwrite', secret: 'read' },
  summary: 'The applicant sends a draft to the agency once every required document is verified',
} as const satisfies RouteDeclaration;

export const UploadResult = {
  id: 'UploadResult',
  method: 'POST',
  path: '/dossiers/{code}/results',
  entry: 'functions/handlers/results-upload.ts',
  access: ['official'],
  grants: { table: 'readwrite', bucket: 'upload' },
  summary: 'An official of the responsible agency asks for a presigned PUT URL for a result document',
} as const satisfies RouteDeclaration;

export const GetResult = {
  id: 'GetResult',
  method: 'GET',
  path: '/dossiers/{code}/results/{id}',
  entry: 'functions/handlers/results-get.ts',
  // as the access policy says: administrators oversee dossiers, they do not open their files
  access: ['citizen', 'official'],
  grants: { table: 'read', bucket: 'read' },
  summary: 'A short-lived presigned GET URL for a verified result document, for the applicant and the agency only',
} as const satisfies RouteDeclaration;

export const OpenApi = {
  id: 'OpenApi',
  method: 'GET',
  path: '/openapi.json',
  entry: 'functions/handlers/openapi.ts',
  access: 'public',
  grants: {},
  summary: 'This API as an OpenAPI 3.1 document',
} as const satisfies RouteDeclaration;

export const GetStats = {
  id: 'GetStats',
  method: 'GET',
  path: '/stats',
  entry: 'functions/handlers/stats-get.ts',
  access: 'public',
  grants: { table: [{ access: 'read', leadingKeys: ['STATS#*'] }] },
  summary: 'The figures a province is judged by, for the province, an agency or a service over a day, month, year or range (JSON or CSV)',
} as const satisfies RouteDeclaration;

export const RankAgencies = {
  id: 'RankAgencies',
  method: 'GET',
  path: '/stats/agencies',
  entry: 'functions/handlers/stats-agencies.ts',
  access: 'public',
  grants: { table: [{ access: 'read', leadingKeys: ['STATS#*'] }] },
  // counters move with each event; five minutes old is fresh enough for a public ranking
  cacheSeconds: 300,
  summary: 'The agencies of the province ranked by the share of dossiers resolved on time or early',
} as const satisfies RouteDeclaration;

export const GetDocument = {
  id: 'GetDocument',
  method: 'GET',
  path: '/dossiers/{code}/documents/{id}',
  entry: 'functions/handlers/documents-get.ts',
  access: ['official', 'citizen'],
  grants: { table: 'read', bucket: 'read' },
  summary: "A short-lived presigned GET URL for a verified document the applicant filed, for the responsible agency's officials and the applicant",
} as const satisfies RouteDeclaration;

export const CreatePayment = {
  id: 'CreatePayment',
  method: 'POST',
  path: '/dossiers/{code}/payments',
  entry: 'functions/handlers/payments-create.ts',
  access: ['citizen'],
  grants: { table: 'readwrite', paymentSecret: 'read' },
  summary: 'The applicant pays what is due (the catalog fees at submission, or what the agency asked for): a payment and the gateway URL',
} as const satisfies RouteDeclaration;

export const PaymentNotification = {
  id: 'PaymentNotification',
  method: 'POST',
  path: '/payments/{gateway}/notify',
  entry: 'functions/handlers/payments-notify.ts',
  access: 'public',
  grants: { table: 'readwrite', paymentSecret: 'read' },
  summary: "The payment gateway's signed server-to-server notification (IPN); answered in the gateway's protocol",
} as const satisfies RouteDeclaration;

export const PaymentNotificationQuery = {
  id: 'PaymentNotificationQuery',
  method: 'GET',
  path: '/payments/{gateway}/notify',
  entry: 'functions/handlers/payments-notify.ts',
  access: 'public',
  grants: { table: 'readwrite', paymentSecret: 'read' },
  summary: 'The same notification for gateways that send it as a signed query string (VNPay-style IPN)',
} as const satisfies RouteDeclaration;

export const PaymentReturn = {
  id: 'PaymentReturn',
  method: 'GET',
  path: '/payments/{gateway}/return',
  entry: 'functions/handlers/payments-return.ts',
  access: 'public',
  grants: { table: [{ access: 'read', leadingKeys: ['PAYREF#*', 'DOSSIER#*'], attributes: paymentReturnAttributes }] },
  summary: 'Where the gateway sends the browser back: a page that shows the state of the payment and changes nothing',
} as const satisfies RouteDeclaration;

export const GetPaymentReceipt = {
  id: 'GetPaymentReceipt',
  method: 'GET',
  path: '/dossiers/{code}/payments/{ref}/receipt',
  entry: 'functions/handlers/payments-receipt.ts',
  access: ['citizen', 'official', 'admin'],
  grants: { table: 'read' },
  summary: 'The electronic receipt of a settled payment, as JSON or PDF, for the applicant and the agency',
  assets: ['assets/fonts'],
} as const satisfies RouteDeclaration;

export const ReceiveNationalDossier = {
  id: 'ReceiveNationalDossier',
  method: 'POST',
  path: '/national/dossiers',
  entry: 'functions/handlers/national-dossiers.ts',
  // no JWT: the national portal signs each request with the key it shares with the province (checked in the handler)
  access: 'public',
  grants: { table: 'readwrite', nationalPortal: 'read' },
  summary: 'A dossier submitted on the national portal (DVCQG) for a procedure of this province, signed by the portal',
} as const satisfies RouteDeclaration;

export const routes = [
  ListServices,
  GetService,
  ListAgencies,
  CreateDossier,
  ListMyDossiers,
  TrackDossier,
  GetDossier,
  ListAgencyDossiers,
  RegisterDeskDossier,
  ActOnDossier,
  SupplementDossier,
  RateDossier,
  UploadDocument,
  CancelDocument,
  SubmitDossier,
  UploadResult,
  GetResult,
  OpenApi,
  GetStats,
  RankAgencies,
  GetDocument,
  CreatePayment,
  PaymentNotification,
  PaymentNotificationQuery,
  PaymentReturn,
  GetPaymentReceipt,
  ReceiveNationalDossier,
] as const;

export type RouteId = (typeof routes)[number]['id'];

export function routeById(id: RouteId): RouteDeclaration {
  const route = routes.find((r) => r.id === id);
  if (!route) throw new Error(`route ${id} is not declared`);
  return route;
}

/**
 * How long a stream record may wait for others before its batch is delivered. Every consumer's work is
 * per record and idempotent, so a batch costs one invocation instead of one per event; the price is that
 * an agency message, a notification or a counter follows its step by up to this long (plus the stream's
 * own second or so).
 */
export const streamBatchWindowSeconds = 3;

export const consumers: readonly ConsumerDeclaration[] = [
  {
    id: 'VerifyDocuments',
    entry: 'functions/handlers/verify-documents.ts',
    source: { kind: 'bucket-created', prefix: 'dossiers/' },
    grants: { table: 'readwrite', bucket: 'verify' },
    summary: 'Checks each uploaded document (size, type by content, SHA-256) against its slot; quarantines what fails',
  },
  {
    id: 'RouteEvents',
    entry: 'functions/handlers/route-events.ts',
    source: { kind: 'table-stream', batchSize: 25, batchWindowSeconds: streamBatchWindowSeconds, maxRetries: 5 },
    grants: { agencyQueues: 'send', table: [{ access: 'read', leadingKeys: ['DOSSIER#*'], attributes: agencyMessageAttributes }] },
    summary: 'Publishes each dossier event written to the table onto the responsible agency queue',
  },
  {
    id: 'CountEvents',
    entry: 'functions/handlers/count-events.ts',
    source: { kind: 'table-stream', batchSize: 25, batchWindowSeconds: streamBatchWindowSeconds, maxRetries: 10 },
    grants: { table: 'readwrite' },
    summary: "Adds each dossier event to the statistics counters exactly once (a batch's markers and the counters they change in one transaction)",
  },
  {
    id: 'DeadlineSweeper',
    entry: 'functions/handlers/deadline-sweeper.ts',
    source: { kind: 'schedule', everyMinutes: 15 },
    grants: { table: 'readwrite' },
    summary: 'Marks open dossiers overdue once their appointment passes and reminds the agency one working day before',
  },
  {
    id: 'NotifyEvents',
    entry: 'functions/handlers/notify-events.ts',
    source: { kind: 'table-stream', batchSize: 25, batchWindowSeconds: streamBatchWindowSeconds, maxRetries: 10 },
    grants: { table: 'readwrite', notify: 'send' },
    summary: 'Tells the applicant of each step by email and SMS, once per event and channel, and files official events for the digest',
  },
  {
    id: 'SendDigests',
    entry: 'functions/handlers/send-digests.ts',
    source: { kind: 'schedule', everyMinutes: 15 },
    grants: { table: 'readwrite', notify: 'send' },
    summary: "Mails each agency one digest per hour of its new, due-tomorrow and overdue dossiers",
  },
  {
    id: 'ReconcilePayments',
    entry: 'functions/handlers/reconcile-payments.ts',
    source: { kind: 'schedule', everyMinutes: 15 },
    grants: { table: 'readwrite', paymentSecret: 'read' },
    summary: 'Asks the gateway about payments still initiated 30 minutes to 3 days after INIT, settles them and reports mismatches',
  },
  {
    id: 'RecordRefunds',
    entry: 'functions/handlers/record-refunds.ts',
    source: { kind: 'table-stream', batchSize: 25, batchWindowSeconds: streamBatchWindowSeconds, maxRetries: 5 },
    grants: { table: 'readwrite' },
    summary: 'Records the online payments owed back when a paid dossier is refused, withdrawn or stopped',
  },
  {
    id: 'RecordHistory',
    entry: 'functions/handlers/record-history.ts',
    source: { kind: 'table-stream', records: 'steps', batchSize: 25, batchWindowSeconds: streamBatchWindowSeconds, maxRetries: 10 },
    grants: { table: [{ access: 'readwrite', leadingKeys: ['DOSSIER#*'] }] },
    summary: "Writes a workflow step's history event from the dossier item's stream record when the step's own write of it was cut off",
  },
  {
    id: 'SyncNational',
    entry: 'functions/handlers/dvcqg-sync.ts',
    // a portal outage holds the stream (order is kept) for these retries, then the batch is dead-lettered
    // and the dossiers wait, counted as not in sync, for the reconciliation
    source: { kind: 'table-stream', batchSize: 10, batchWindowSeconds: streamBatchWindowSeconds, maxRetries: 10 },
    grants: { table: 'readwrite', nationalPortal: 'read' },
    summary: "Reports each dossier's creation and status changes to the national portal (DVCQG), in order per dossier",
  },
  {
    id: 'ReconcileNational',
    entry: 'functions/handlers/dvcqg-reconcile.ts',
    source: { kind: 'schedule', everyMinutes: 60 },
    grants: { table: 'readwrite', nationalPortal: 'read' },
    summary: 'Finds dossiers the national portal is behind on (a sparse index, no Scan) and sends them again',
  },
];

/** Environment variables every function reads; lib/ and local/ both set exactly these. */
export const environment = {
  tableName: 'TABLE_NAME',
  bucketName: 'BUCKET_NAME',
  provinceFile: 'PROVINCE_FILE',
  provinceId: 'PROVINCE_ID',
  /** queue URL = `${QUEUE_URL_BASE}/${agencyQueue.name(...)}` */
  queueUrlBase: 'QUEUE_URL_BASE',
  /** the public base URL of the API, for tracking links */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  /** cloud: the ARN of the stack secret, set only on functions granted `secret: 'read'` */
  stackSecretArn: 'STACK_SECRET_ARN',
  /** local: the file of the stack secret in the data folder */
  stackSecretFile: 'STACK_SECRET_FILE',
  /** sender address of notification emails; unset: no email is sent (reported in the logs) */
  notifyFromEmail: 'NOTIFY_FROM_EMAIL',
  /** `sns` (default) or `http` (a brand-name SMS / Zalo ZNS gateway, or the local outbox, at SMS_HTTP_URL) */
  smsProvider: 'SMS_PROVIDER',
  smsHttpUrl: 'SMS_HTTP_URL',
  /** URL of the notification dead-letter queue */
  notifyDeadLetterUrl: 'NOTIFY_DLQ_URL',
  /** the imported catalog's directory (provinces/catalog/format.ts); absent when the province has none */
  catalogDir: 'CATALOG_DIR',
  /** the Secrets Manager secret holding the national portal credentials (cloud); empty locally */
  nationalSecretId: 'DVCQG_SECRET_ID',
  /** the same credentials as a file in the data folder (local); empty in the cloud */
  nationalConfigFile: 'DVCQG_CONFIG_FILE',
} as const;

/**
 * The custom metric the deadline sweeper publishes on each run (CloudWatch embedded metric format): how
 * many local years an appointment issued now could reach whose holidays are only the statute's, the
 * government's yearly arrangement not being in the province file. lib/ alarms when it is 1 or more.
 */
export const calendarMetric = {
  namespace: 'motcua',
  name: 'StatutoryCalendarYears',
  /** the one dimension, Powertools' `service`: the logger's service name of the province */
  service: (provinceId: string) => `motcua-${provinceId}`,
} as const;

/**
 * The business figures functions publish where they happen (EMF, flushed once per invocation by
 * functions/http/metrics.ts), under the calendar metric's namespace and `service` dimension so that one
 * dashboard (lib/dashboard.ts) and the alarms (lib/operations.ts) read them all. Counts, never personal data.
 */
export const businessMetrics = {
  namespace: calendarMetric.namespace,
  service: calendarMetric.service,
  /** dossiers filed (drafts are not), with the dimension `channel`: one of `submissionChannels` */
  submissions: 'Submissions',
  /** a workflow step refused because the dossier changed since the caller read it (409 version_conflict) */
  versionConflicts: 'VersionConflicts',
  /** a tracking lookup refused because its receipt is locked after too many wrong PINs (429) */
  pinLockouts: 'PinLockouts',
  /** dossiers the agency refused (từ chối tiếp nhận / giải quyết) */
  dossiersRefused: 'DossiersRefused',
  /** online payments settled as paid, with the dimension `source`: one of `paymentSources` */
  paymentsSettled: 'PaymentsSettled',
  submissionChannels: ['online', 'counter', 'post', 'national'],
  paymentSources: ['notification', 'reconciliation'],
} as const;
export type BusinessMetricName = (typeof businessMetrics)[Exclude<keyof typeof businessMetrics, 'namespace' | 'service' | 'submissionChannels' | 'paymentSources'>];
export type SubmissionChannel = (typeof businessMetrics.submissionChannels)[number];

/** Read only by the functions granted `paymentSecret`: the merchant enrolment with the payment gateway. */
export const paymentEnvironment = {
  /** a Secrets Manager secret id (cloud); set only on the functions granted the secret */
  secretId: 'PAYMENT_SECRET_ID',
  /** a JSON file in the data folder (local runtime only) */
  secretFile: 'PAYMENT_SECRET_FILE',
} as const;
