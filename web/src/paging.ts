/**
 * The API's lists answer one page and a `nextCursor` to pass back unchanged for the next (README
 * "Paging"). A Pager keeps the pages read so far and fetches the next one on request ("Xem thêm"),
 * never two at once, and knows when the list has ended.
 */
export interface ListPage<T> { readonly items: readonly T[]; readonly nextCursor?: string | undefined }

/** `path` with the cursor of the next page added to its query (none for the first page). */
export function withCursor(path: string, cursor: string | undefined): string {
  if (!cursor) return path;
  return `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
}

export class Pager<T> {
  private readonly loaded: T[] = [];
  private cursor: string | undefined;
  private started = false;
  private inFlight: Promise<readonly T[]> | undefined;

  constructor(private readonly fetchPage: (path: string) => Promise<ListPage<T>>, private readonly path: string) {}

  /** every item read so far, in the API's order */
  get items(): readonly T[] {
    return this.loaded;
  }

  /** true once a page came without `nextCursor` */
  get done(): boolean {
    return this.started && this.cursor === undefined;
  }

  /** Reads the next page and answers its items; after the end, answers nothing and asks nothing. */
  next(): Promise<readonly T[]> {
    if (this.done) return Promise.resolve([]);
    this.inFlight ??= this.fetchPage(withCursor(this.path, this.cursor))
      .then((page) => {
        this.started = true;
        this.cursor = page.nextCursor || undefined;
        this.loaded.push(...page.items);
        return page.items;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
