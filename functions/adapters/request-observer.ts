import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counting what the handlers ask of AWS, for `npm run bench`: every SDK request (service, operation,
 * DynamoDB capacity units) and every function invocation of the local runtime. Nothing is attached
 * unless an observer is registered before a client is created, so a Lambda container (where nobody
 * registers one) pays nothing: its clients carry no extra middleware and DynamoDB is not asked for
 * consumed capacity.
 */

/** The capacity one DynamoDB request consumed, as DynamoDB reported it (ReturnConsumedCapacity INDEXES). */
export interface ConsumedUnits {
  /** read units (RRU on demand) of the table and its indexes */
  readonly read: number;
  /** write units (WRU on demand) of the table */
  readonly write: number;
  /** write units of the global secondary indexes the request updated */
  readonly indexWrite: number;
}

export interface ObservedRequest {
  /** the SDK's service id: DynamoDB, S3, SQS, SESv2, SNS, Secrets Manager */
  readonly service: string;
  /** the command without its suffix: PutItem, GetObject, SendMessage… */
  readonly operation: string;
  /** the request was sent and failed (an error is charged like a success by most services) */
  readonly failed: boolean;
  /** the function whose invocation made the request, when the runtime said (runObserved) */
  readonly functionName?: string;
  /** DynamoDB writes: how many items the request wrote (a transaction or a batch writes several) */
  readonly items?: number;
  /** TransactWriteItems: the request's items, as sent */
  readonly transactItems?: readonly unknown[];
  /** DynamoDB only, absent when the answer carried no ConsumedCapacity (a failed condition, an emulator that does not report it) */
  readonly units?: ConsumedUnits;
}

export interface ObservedInvocation {
  /** `motcua-<province>-<declaration id>` */
  readonly functionName: string;
  readonly durationMs: number;
}

export interface RequestObserver {
  request?(request: ObservedRequest): void;
  invocation?(invocation: ObservedInvocation): void;
}

let current: RequestObserver | undefined;
/** created with the first observer: a container that is never observed does not track async contexts */
let scope: AsyncLocalStorage<string> | undefined;

/** Registers the one observer (a second replaces the first); returns the function that removes it. */
export function observeRequests(observer: RequestObserver): () => void {
  current = observer;
  scope ??= new AsyncLocalStorage<string>();
  return () => {
    if (current === observer) current = undefined;
  };
}

export function activeObserver(): RequestObserver | undefined {
  return current;
}

/** The function whose invocation is running, for transports that report their requests themselves (dynamo-http.ts). */
export function observedFunctionName(): string | undefined {
  return scope?.getStore();
}

/** Runs one invocation so that the requests it makes are attributed to its function. */
export function runObserved<T>(functionName: string, work: () => Promise<T>): Promise<T> {
  return scope ? scope.run(functionName, work) : work();
}

/** The operations whose input takes ReturnConsumedCapacity (others would drop it, but say so plainly). */
const capacityOperations = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);
const writeOperations = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

interface CapacityShape {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/** Sums one answer's ConsumedCapacity (an object, or a list for batches and transactions). */
export function consumedUnits(operation: string, consumed: CapacityShape | readonly CapacityShape[] | undefined): ConsumedUnits | undefined {
  if (!consumed) return undefined;
  const list: readonly CapacityShape[] = Array.isArray(consumed) ? consumed : [consumed as CapacityShape];
  if (list.length === 0) return undefined;
  const writes = writeOperations.has(operation);
  let read = 0;
  let write = 0;
  let indexWrite = 0;
  for (const c of list) {
    const indexes = Object.values(c.GlobalSecondaryIndexes ?? {}).reduce((sum: number, i) => sum + (i.CapacityUnits ?? i.WriteCapacityUnits ?? 0), 0);
    const total = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
    // with INDEXES, the total covers the table and its indexes; the table part is given apart
    const tablePart = c.Table?.CapacityUnits ?? Math.max(0, total - indexes);
    if (writes) {
      write += tablePart;
      indexWrite += indexes;
    } else {
      read += total;
    }
  }
  return { read, write, indexWrite };
}

/**
 * What the bench needs of a DynamoDB request beyond its answer: how many items it writes and, for a
 * transaction, the items themselves (DynamoDB Local under-reports a transaction's capacity, so the bench
 * bills it from the items: bench/capacity.ts).
 */
export function writeFacts(operation: string, input: Record<string, unknown>): { items?: number; transactItems?: readonly unknown[] } {
  const items = itemsWritten(operation, input);
  if (items === undefined) return {};
  return operation === 'TransactWriteItems' ? { items, transactItems: (input.TransactItems as unknown[] | undefined) ?? [] } : { items };
}

/** How many items a DynamoDB request writes; undefined for a read. */
export function itemsWritten(operation: string, input: Record<string, unknown>): number | undefined {
  if (operation === 'TransactWriteItems') return (input.TransactItems as unknown[] | undefined)?.length ?? 0;
  if (operation === 'BatchWriteItem') return Object.values((input.RequestItems as Record<string, unknown[]> | undefined) ?? {}).reduce((n, list) => n + list.length, 0);
  return writeOperations.has(operation) ? 1 : undefined;
}

/** The slice of an SDK client this module touches (any v3 client has it). */
interface ObservableClient {
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; priority?: 'high' | 'normal' | 'low'; override?: boolean }): void;
  };
}

interface HandlerContext {
  readonly commandName?: string;
}
type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown>; response: unknown }>;

const sent = (response: unknown): boolean => typeof (response as { statusCode?: unknown } | undefined)?.statusCode === 'number';

/**
 * Attaches the counting middleware to a client when an observer is registered; returns the client.
 * The client factories call it once per client. A presigned URL runs the same middleware stack but
 * sends nothing: it is not counted here (the request made with the URL is the caller's to count).
 */
export function observed<C extends ObservableClient>(client: C, service: string): C {
  if (!current) return client;
  client.middlewareStack.add(
    (next: Next, context: HandlerContext) => async (args: { input: Record<string, unknown> }) => {
      const observer = current;
      const functionName = scope?.getStore();
      const by = functionName ? { functionName } : {};
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const askCapacity = observer !== undefined && service === 'DynamoDB' && capacityOperations.has(operation);
      if (askCapacity && args.input.ReturnConsumedCapacity === undefined) args.input = { ...args.input, ReturnConsumedCapacity: 'INDEXES' };
      const counted = { ...by, ...(service === 'DynamoDB' ? writeFacts(operation, args.input) : {}) };
      try {
        const result = await next(args);
        if (observer && sent(result.response)) {
          const units = askCapacity ? consumedUnits(operation, result.output.ConsumedCapacity as CapacityShape | CapacityShape[] | undefined) : undefined;
          observer.request?.({ service, operation, failed: false, ...counted, ...(units ? { units } : {}) });
        }
        return result;
      } catch (err) {
        // an error with an HTTP status came back from the service; one without was never answered
        if (observer && typeof (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode === 'number') {
          observer.request?.({ service, operation, failed: true, ...counted });
        }
        throw err;
      }
    },
    { step: 'initialize', name: 'motcuaRequestObserver', priority: 'high', override: true },
  );
  return client;
}
