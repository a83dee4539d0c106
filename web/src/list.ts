import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { errorBox } from './main.js';
import type { Pager } from './paging.js';

/**
 * The "Xem thêm" button under a paged table: appends the next page's rows to `tbody`, says how many are
 * shown, and disappears at the end of the list. Focus stays on the button so the keyboard can go on.
 */
export function loadMore<T>(pager: Pager<T>, tbody: HTMLElement, row: (item: T) => HTMLElement): HTMLElement {
  const count = h('p', { class: 'meta', 'aria-live': 'polite', 'data-testid': 'shown' });
  const message = h('div', { 'aria-live': 'assertive' });
  const button = h('button', { type: 'button', class: 'secondary' }, t('loadMore'));
  const show = (): void => {
    count.textContent = t('shownN', { n: pager.items.length });
    // removed rather than hidden: the button's display rule would override the hidden attribute
    if (pager.done) button.remove();
  };
  button.addEventListener('click', () => {
    button.disabled = true;
    replace(message);
    pager
      .next()
      .then(async (first) => {
        let items = first;
        // a page can come empty with a cursor (the last item ended the one before): read on, a few at most
        for (let i = 0; !items.length && !pager.done && i < 3; i++) items = await pager.next();
        tbody.append(...items.map(row));
        show();
      })
      .catch((err: unknown) => replace(message, errorBox(err)))
      .finally(() => {
        button.disabled = false;
      });
  });
  const box = h('div', { class: 'load-more' }, count, message, button);
  show();
  return box;
}
