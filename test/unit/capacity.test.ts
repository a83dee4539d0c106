import { describe, expect, it } from 'vitest';
import { billed, itemBytes, transactionWriteUnits } from '../../bench/capacity.js';

/** The bench's billing of DynamoDB writes, by the sizing rules of the DynamoDB developer guide. */
describe('write units as AWS bills them', () => {
  it('sizes items by their attribute names and values', () => {
    // "pk" + "ab"; "n" + 3 significant digits (2 bytes + 1); "ok" + a boolean
    expect(itemBytes({ pk: { S: 'ab' }, n: { N: '-1.25' }, ok: { BOOL: true } })).toBe(4 + 4 + 3);
    // leading and trailing zeros are not significant
    expect(itemBytes({ n: { N: '000.0500' } })).toBe(1 + 2);
    // "đ" is two bytes in UTF-8; a list is 3 bytes plus one per element; a map adds its keys
    expect(itemBytes({ s: { S: 'đ' } })).toBe(3);
    expect(itemBytes({ l: { L: [{ S: 'x' }, { NULL: true }] } })).toBe(1 + 3 + 2 + 2);
    expect(itemBytes({ m: { M: { k: { S: 'xy' } } } })).toBe(1 + 3 + 1 + 1 + 2);
    expect(itemBytes({ ss: { SS: ['a', 'bc'] }, b: { B: Buffer.from('abcd').toString('base64') } })).toBe(2 + 3 + 1 + 4);
  });

  it('bills each item of a transaction twice, by the KB, an item it cannot see at one KB', () => {
    const put = (bytes: number) => ({ Put: { TableName: 't', Item: { pk: { S: 'x'.repeat(bytes - 2) } } } });
    expect(transactionWriteUnits([put(1024), put(1025), { Update: { TableName: 't', Key: { pk: { S: 'c' } } } }, { ConditionCheck: { TableName: 't', Key: { pk: { S: 'd' } } } }])).toBe(2 + 4 + 2 + 2);
  });

  it("raises a transaction's reported units to the billed ones, and leaves other requests as they came", () => {
    const items = Array.from({ length: 10 }, () => ({ Update: { TableName: 't', Key: { pk: { S: 'c' } } } }));
    const reported = { service: 'DynamoDB', operation: 'TransactWriteItems', failed: false, items: 10, transactItems: items, units: { read: 0, write: 2, indexWrite: 1 } };
    expect(billed(reported).units).toEqual({ read: 0, write: 20, indexWrite: 1 });
    const put = { service: 'DynamoDB', operation: 'PutItem', failed: false, items: 1, units: { read: 0, write: 3, indexWrite: 0 } };
    expect(billed(put)).toBe(put);
  });
});
