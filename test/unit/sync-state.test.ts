import { describe, expect, it } from 'vitest';
import { SyncStateRepository } from '../../functions/adapters/sync-state.js';
import { conditionFailed, scriptedTable, transactionCanceled } from '../support/table-fake.js';

describe('the first sighting of a dossier by the national sync', () => {
  it('is tried again when it conflicts with another dossier on the shared counter, and answers the state it made', async () => {
    // Prepare: no state yet; the first transaction collides on the shard's counter (nothing applied)
    const table = scriptedTable();
    table.on('get').resolves({});
    table.on('transactWrite').rejectsOnce(transactionCanceled('None', 'TransactionConflict')).resolves({});
    const states = new SyncStateRepository(table, 'motcua-test');

    // Act
    const state = await states.observe('000.00.14.H37-261203-0001', 1, 1, '2026-12-03T02:00:00.000Z');

    // Assess
    expect(state).toMatchObject({ code: '000.00.14.H37-261203-0001', seenVersion: 1, seenStatus: 1 });
    expect(table.calls('transactWrite')).toHaveLength(2);
    expect(table.calls('update')).toHaveLength(0);
  });

  it('updates as seen when another delivery created the state first', async () => {
    // Prepare
    const table = scriptedTable();
    table.on('get').resolvesOnce({}).resolves({ Item: { code: 'X', seenVersion: 1, seenStatus: 1 } });
    table.on('transactWrite').rejects(transactionCanceled('ConditionalCheckFailed', 'None'));
    table.on('update').resolves({ Attributes: { code: 'X', seenVersion: 2, seenStatus: 2 } });
    const states = new SyncStateRepository(table, 'motcua-test');

    // Act
    const state = await states.observe('X', 2, 2, '2026-12-03T02:00:00.000Z');

    // Assess
    expect(state).toMatchObject({ seenVersion: 2 });
    expect(table.calls('transactWrite')).toHaveLength(1);
  });

  it('never answers no state: a state neither created nor readable is an error', async () => {
    // Prepare: created by someone (the transaction refused), then gone before it could be read
    const table = scriptedTable();
    table.on('get').resolves({});
    table.on('transactWrite').rejects(transactionCanceled('ConditionalCheckFailed', 'None'));
    table.on('update').rejects(conditionFailed());
    const states = new SyncStateRepository(table, 'motcua-test');

    // Act / Assess
    await expect(states.observe('Y', 1, 1, '2026-12-03T02:00:00.000Z')).rejects.toThrow(/neither created nor readable/);
  });
});
