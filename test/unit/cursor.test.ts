import { afterEach, describe, expect, it } from 'vitest';
import { openCursor, sealCursor, type CursorBinding } from '../../functions/adapters/cursor.js';
import { DossierRepository } from '../../functions/adapters/dossier-repository.js';
import { scriptedTable } from '../support/table-fake.js';
import { httpStatusOf } from '../../functions/http/error-status.js';
import { AppError } from '../../functions/domain/errors.js';

const binding: CursorBinding = { caller: 'citizen:lan', index: 'gsi2', partition: 'APPLICANT#lan' };
const key = { pk: 'DOSSIER#X-260424-0001', sk: 'DOSSIER', gsi2pk: 'APPLICANT#lan', gsi2sk: '2026-04-24T01:00:00.000Z#X-260424-0001' };

const statusOf = async (p: Promise<unknown>) => p.then(() => 200, (err: unknown) => (err instanceof AppError ? httpStatusOf(err) : 500));

describe('pagination cursors', () => {
  it('open to the key they were sealed from, and hide it', async () => {
    const cursor = await sealCursor(key, binding);
    expect(await openCursor(cursor, binding)).toEqual(key);
    const raw = Buffer.from(cursor, 'base64url').toString('latin1');
    expect(raw).not.toContain('APPLICANT');
    expect(raw).not.toContain('DOSSIER');
    // a fresh nonce each time: two cursors of the same key differ
    expect(await sealCursor(key, binding)).not.toBe(cursor);
  });

  it('refuse (400) any change to a single byte', async () => {
    const cursor = Buffer.from(await sealCursor(key, binding), 'base64url');
    for (let i = 0; i < cursor.length; i++) {
      const changed = Buffer.from(cursor);
      changed[i] = changed[i]! ^ 0x01;
      expect(await statusOf(openCursor(changed.toString('base64url'), binding)), `byte ${i}`).toBe(400);
    }
  });

  it('refuse (400) a cursor of another caller, index, partition or filter', async () => {
    const cursor = await sealCursor(key, binding);
    for (const other of [
      { ...binding, caller: 'citizen:minh' },
      { ...binding, index: 'gsi1' },
      { ...binding, partition: 'APPLICANT#minh' },
      { ...binding, query: 'status=2' },
    ]) {
      expect(await statusOf(openCursor(cursor, other)), JSON.stringify(other)).toBe(400);
    }
  });

  it('refuse (400) what was never a cursor: base64 of null, of JSON keys, junk, empty and huge strings', async () => {
    const forged = [
      Buffer.from('null').toString('base64url'),
      'bnVsbA',
      Buffer.from(JSON.stringify({ index: 'gsi2', key })).toString('base64url'),
      Buffer.from(JSON.stringify({ index: 'gsi2', key: { ...key, gsi2sk: 42 } })).toString('base64url'),
      '%%%',
      'a b',
      '',
      'A'.repeat(5000),
      Buffer.alloc(64).toString('base64url'),
    ];
    for (const cursor of forged) expect(await statusOf(openCursor(cursor, binding)), cursor.slice(0, 40)).toBe(400);
  });

  it('refuse (400) a sealed key of the wrong shape, so it never reaches ExclusiveStartKey', async () => {
    for (const wrong of [{ pk: 'a' }, { ...key, extra: 'x' }, { ...key, gsi2pk: 'APPLICANT#minh' }, { ...key, sk: 5 }, [key]]) {
      const cursor = await sealCursor(wrong as Record<string, unknown>, binding);
      expect(await statusOf(openCursor(cursor, binding)), JSON.stringify(wrong)).toBe(400);
    }
  });
});

describe('a paged query', () => {
  const ddb = scriptedTable();
  afterEach(() => ddb.reset());
  const repo = new DossierRepository(ddb, 'table');

  it('sends a verified start key and seals the next one for the same viewer', async () => {
    ddb.on('query').resolves({ Items: [], LastEvaluatedKey: key });
    const first = await repo.listByApplicant('lan', { limit: 1, viewer: 'citizen:lan' });
    expect(first.nextCursor).toBeDefined();
    await repo.listByApplicant('lan', { limit: 1, cursor: first.nextCursor, viewer: 'citizen:lan' });
    expect(ddb.calls('query')[1]!.ExclusiveStartKey).toEqual(key);
  });

  it('never queries with a cursor that does not open', async () => {
    ddb.on('query').resolves({ Items: [], LastEvaluatedKey: key });
    const theirs = (await repo.listByApplicant('lan', { limit: 1, viewer: 'citizen:lan' })).nextCursor;
    ddb.resetHistory();
    expect(await statusOf(repo.listByApplicant('minh', { limit: 1, cursor: theirs, viewer: 'citizen:minh' }))).toBe(400);
    expect(await statusOf(repo.inbox('so-tu-phap', { state: 'open' }, { limit: 1, cursor: 'bnVsbA', viewer: 'official:so-tu-phap:o1' }))).toBe(400);
    expect(ddb.calls('query')).toHaveLength(0);
  });
});
