import { isDeepStrictEqual } from 'node:util';
import { DynamoHttpError } from '../../functions/adapters/dynamo-http.js';
import type { DynamoTable } from '../../functions/adapters/dynamo-table.js';

/**
 * A scripted `DynamoTable` for unit tests: each operation answers what the test set for it (`on`, with an
 * optional partial input to match), and every input is kept (`calls`). The same rules as
 * aws-sdk-client-mock's, which these tests used before the port: of the rules that match, the one set
 * last answers; a rule's `*Once` answers come first, in order; an operation nobody scripted answers
 * undefined.
 */
export type Operation = keyof DynamoTable;
type Input<O extends Operation> = Parameters<DynamoTable[O]>[0];
type Output<O extends Operation> = Awaited<ReturnType<DynamoTable[O]>>;
type Behaviour = { readonly answer: unknown } | { readonly error: unknown };

export interface Rule<O extends Operation> {
  resolves(answer: Output<O> | Record<string, unknown>): Rule<O>;
  resolvesOnce(answer: Output<O> | Record<string, unknown>): Rule<O>;
  rejects(error: unknown): Rule<O>;
  rejectsOnce(error: unknown): Rule<O>;
  on<P extends Operation>(operation: P, match?: Record<string, unknown>): Rule<P>;
}

export interface ScriptedTable extends DynamoTable {
  on<O extends Operation>(operation: O, match?: Record<string, unknown>): Rule<O>;
  /** the inputs the operation was sent, in order, those matching `match` only if given */
  calls<O extends Operation>(operation: O, match?: Record<string, unknown>): Input<O>[];
  /** forgets rules and calls */
  reset(): void;
  /** forgets calls, keeps rules */
  resetHistory(): void;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Every member of `expected` is in `actual`: objects compared member by member, anything else deeply equal. */
export function matches(actual: unknown, expected: unknown): boolean {
  if (isPlainObject(expected)) return isPlainObject(actual) && Object.entries(expected).every(([k, v]) => matches(actual[k], v));
  return isDeepStrictEqual(actual, expected);
}

export function scriptedTable(): ScriptedTable {
  interface Script {
    readonly operation: Operation;
    readonly match: Record<string, unknown> | undefined;
    once: Behaviour[];
    always: Behaviour | undefined;
  }
  let scripts: Script[] = [];
  let sent: { operation: Operation; input: unknown }[] = [];

  function on<O extends Operation>(operation: O, match?: Record<string, unknown>): Rule<O> {
    const script: Script = { operation, match, once: [], always: undefined };
    scripts.push(script);
    const rule: Rule<O> = {
      resolves: (answer) => ((script.always = { answer }), rule),
      resolvesOnce: (answer) => (script.once.push({ answer }), rule),
      rejects: (error) => ((script.always = { error }), rule),
      rejectsOnce: (error) => (script.once.push({ error }), rule),
      on: (next, nextMatch) => on(next, nextMatch),
    };
    return rule;
  }

  const answer =
    (operation: Operation) =>
    async (input: unknown): Promise<never> => {
      sent.push({ operation, input });
      const script = scripts.findLast((s) => s.operation === operation && (s.match === undefined || matches(input, s.match)));
      const behaviour = script?.once.shift() ?? script?.always;
      if (behaviour && 'error' in behaviour) throw behaviour.error;
      return (behaviour?.answer ?? undefined) as never;
    };

  return {
    get: answer('get'),
    put: answer('put'),
    update: answer('update'),
    delete: answer('delete'),
    query: answer('query'),
    batchGet: answer('batchGet'),
    transactWrite: answer('transactWrite'),
    on,
    calls: <O extends Operation>(operation: O, match?: Record<string, unknown>) =>
      sent.filter((c) => c.operation === operation && (match === undefined || matches(c.input, match))).map((c) => c.input as Input<O>),
    reset() {
      scripts = [];
      sent = [];
    },
    resetHistory() {
      sent = [];
    },
  };
}

/** The one scripted table of a test file: `vi.mock` of dynamo-client.js answers it from `dynamo()`. */
export const fakeTable = scriptedTable();

/** What DynamoDB answers a write whose condition failed, as the signed client throws it. */
export const conditionFailed = (item?: Record<string, unknown>) =>
  new DynamoHttpError('ConditionalCheckFailedException', 'The conditional request failed', 400, false, item ? { Item: item } : {});

/** A cancelled transaction, with one reason per item (`None` for those that were fine). */
export const transactionCanceled = (...codes: string[]) =>
  new DynamoHttpError('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`, 400, false, {
    CancellationReasons: codes.map((Code) => (Code === 'None' ? { Code } : { Code, Message: Code === 'ConditionalCheckFailed' ? 'The conditional request failed' : Code })),
  });
