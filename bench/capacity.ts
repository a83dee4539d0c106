import type { ObservedRequest } from '../functions/adapters/request-observer.js';

type Wire = Readonly<Record<string, unknown>>;

/**
 * The size DynamoDB bills for an item in wire format, by "Item sizes and formats" in the DynamoDB
 * developer guide: each attribute's name in UTF-8 plus its value (a string in UTF-8, a number one byte per
 * two significant digits plus one, a binary its bytes, null and booleans one byte, a list or map 3 bytes
 * plus one per element and its elements, a set its elements).
 */
export function itemBytes(item: Wire): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: unknown): number {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v.S === 'string') return Buffer.byteLength(v.S);
  if (typeof v.N === 'string') return numberBytes(v.N);
  if (v.B !== undefined) return binaryBytes(v.B);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (Array.isArray(v.SS)) return v.SS.reduce((n: number, s: string) => n + Buffer.byteLength(s), 0);
  if (Array.isArray(v.NS)) return v.NS.reduce((n: number, s: string) => n + numberBytes(s), 0);
  if (Array.isArray(v.BS)) return v.BS.reduce((n: number, b: unknown) => n + binaryBytes(b), 0);
  if (Array.isArray(v.L)) return 3 + v.L.reduce((n: number, e: unknown) => n + 1 + valueBytes(e), 0);
  if (v.M && typeof v.M === 'object') return 3 + Object.entries(v.M as Wire).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k) + valueBytes(e), 0);
  // not a wire value (an SDK client observed before its document layer marshalled): its JSON is near enough
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

const numberBytes = (n: string): number =>
  Math.ceil(
    n
      .replace(/^[-+]/, '')
      .replace(/e.*$/i, '')
      .replace('.', '')
      .replace(/^0+|0+$/g, '').length / 2,
  ) + 1;

const binaryBytes = (b: unknown): number => (typeof b === 'string' ? Buffer.from(b, 'base64').length : ((b as Uint8Array | undefined)?.byteLength ?? 0));

/**
 * What a TransactWriteItems request costs in write units by AWS's rule: every item is written twice
 * (prepare and commit), 2 units per KB of that item, rounded up item by item. A Put's item is in the
 * request; an Update's, Delete's or ConditionCheck's is not, and counts at its least, one KB. That is
 * exact for the counters, keys' claims and sets of draft ids the lifecycle's transactions update; the
 * sweeper's deadline mark updates a 2 KB dossier in a transaction and would be billed low, but it is a
 * scheduled function, which the cost run leaves out.
 */
export function transactionWriteUnits(transactItems: readonly unknown[]): number {
  let units = 0;
  for (const item of transactItems as readonly Readonly<Record<string, { Item?: Wire } | undefined>>[]) {
    const put = item.Put?.Item;
    units += 2 * Math.max(1, Math.ceil((put ? itemBytes(put) : 0) / 1024));
  }
  return units;
}

/**
 * A request with the write units AWS would bill for it. DynamoDB Local reports far less for a
 * transaction of several items (one item of each kind of action, it seems: ten counter updates come back
 * as 2 units, two 2.5 KB puts as 6), so a transaction's table units are the larger of Local's figure and
 * `transactionWriteUnits`. Index units are Local's: an index is written as an ordinary write.
 */
export function billed(request: ObservedRequest): ObservedRequest {
  if (!request.units || !request.transactItems) return request;
  return { ...request, units: { ...request.units, write: Math.max(request.units.write, transactionWriteUnits(request.transactItems)) } };
}
