import { describe, expect, test } from 'vitest';
import { Pager, withCursor } from '../../web/src/paging.js';

describe('the portal’s list paging', () => {
  test('adds the cursor to the query as given, encoded, and nothing for the first page', () => {
    expect(withCursor('/dossiers?limit=25', undefined)).toBe('/dossiers?limit=25');
    expect(withCursor('/dossiers', 'abc_-1')).toBe('/dossiers?cursor=abc_-1');
    expect(withCursor('/agencies/a/dossiers?status=open&limit=100', 'eyJ0')).toBe('/agencies/a/dossiers?status=open&limit=100&cursor=eyJ0');
    expect(withCursor('/x?a=1', 'a&b=c')).toBe('/x?a=1&cursor=a%26b%3Dc');
  });

  test('follows nextCursor page by page until a page comes without one, then asks nothing more', async () => {
    const pages: Record<string, { items: number[]; nextCursor?: string }> = {
      '/l?limit=2': { items: [1, 2], nextCursor: 'p2' },
      '/l?limit=2&cursor=p2': { items: [3, 4], nextCursor: 'p3' },
      '/l?limit=2&cursor=p3': { items: [5] },
    };
    const asked: string[] = [];
    const pager = new Pager<number>(async (path) => {
      asked.push(path);
      const page = pages[path];
      if (!page) throw new Error(`unexpected ${path}`);
      return page;
    }, '/l?limit=2');
    expect(pager.done).toBe(false);
    expect(await pager.next()).toEqual([1, 2]);
    expect(pager.done).toBe(false);
    expect(await pager.next()).toEqual([3, 4]);
    expect(await pager.next()).toEqual([5]);
    expect(pager.done).toBe(true);
    expect(await pager.next()).toEqual([]);
    expect(pager.items).toEqual([1, 2, 3, 4, 5]);
    expect(asked).toEqual(['/l?limit=2', '/l?limit=2&cursor=p2', '/l?limit=2&cursor=p3']);
  });

  test('a double click reads the next page once; a failed page can be asked again', async () => {
    let calls = 0;
    let fail = true;
    const pager = new Pager<string>(async (path) => {
      calls += 1;
      if (fail) throw new Error('network');
      return path.includes('cursor') ? { items: ['b'] } : { items: ['a'], nextCursor: 'n' };
    }, '/l');
    await expect(pager.next()).rejects.toThrow('network');
    expect(pager.done).toBe(false);
    fail = false;
    const [one, two] = await Promise.all([pager.next(), pager.next()]);
    expect(one).toEqual(['a']);
    expect(two).toEqual(['a']);
    expect(calls).toBe(2);
    expect(await pager.next()).toEqual(['b']);
    expect(pager.items).toEqual(['a', 'b']);
  });

  test('an empty first page with no cursor is the end of an empty list', async () => {
    const pager = new Pager<string>(async () => ({ items: [] }), '/l');
    expect(await pager.next()).toEqual([]);
    expect(pager.done).toBe(true);
  });
});
