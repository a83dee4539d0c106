import './style.css';
import { ApiError } from './api.js';
import { completeSignIn, session, signIn, signOut, type PortalConfig } from './auth.js';
import { h, replace } from './dom.js';
import { currentLang, setLang, t } from './i18n.js';
import { applyPage } from './pages/apply.js';
import { catalogPage, servicePage } from './pages/catalog.js';
import { dossierPage, myDossiersPage, trackPage } from './pages/citizen.js';
import { dashboardPage } from './pages/dashboard.js';
import { inboxPage, officialDossierPage, printPage } from './pages/official.js';

/** What every page gets: where to render, the portal config, and a way to ask for sign-in. */
export interface PageContext {
  readonly main: HTMLElement;
  readonly config: PortalConfig;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  requireSignIn(): boolean;
  navigate(hash: string): void;
}

type Page = (ctx: PageContext) => Promise<void> | void;

const routes: [RegExp, Page][] = [
  [/^\/$/, catalogPage],
  [/^\/services\/([^/]+)$/, servicePage],
  [/^\/apply\/([^/]+)$/, applyPage],
  [/^\/dossiers$/, myDossiersPage],
  [/^\/dossiers\/([^/]+)$/, dossierPage],
  [/^\/track$/, trackPage],
  [/^\/official$/, inboxPage],
  [/^\/official\/dossiers\/([^/]+)$/, officialDossierPage],
  [/^\/print\/(0[1-4])\/([^/]+)$/, printPage],
  [/^\/stats$/, dashboardPage],
];

const root = document.getElementById('app')!;
let config: PortalConfig;

/** An error as the citizen should read it: the API's Vietnamese message in Vietnamese. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return currentLang() === 'vi' && err.body.messageVi ? err.body.messageVi : err.body.message;
  return err instanceof Error ? err.message : String(err);
}

export function errorBox(err: unknown): HTMLElement {
  return h('div', { class: 'alert error', role: 'alert' }, h('strong', {}, t('errorTitle')), ' ', errorText(err));
}

function header(): HTMLElement {
  const s = session();
  const link = (hash: string, label: string) => {
    const current = location.hash.replace(/\?.*/, '') === hash || (hash === '#/' && (location.hash === '' || location.hash === '#/'));
    return h('li', {}, h('a', { href: hash, ...(current ? { 'aria-current': 'page' } : {}) }, label));
  };
  const nav = h(
    'nav',
    { 'aria-label': currentLang() === 'vi' ? 'Điều hướng chính' : 'Main' },
    h(
      'ul',
      {},
      link('#/', t('navServices')),
      s?.role === 'citizen' ? link('#/dossiers', t('navMine')) : null,
      link('#/track', t('navTrack')),
      s && s.role !== 'citizen' ? link('#/official', t('navInbox')) : null,
      link('#/stats', t('navStats')),
    ),
  );
  const langButton = h(
    'button',
    {
      type: 'button',
      class: 'link-button',
      lang: currentLang() === 'vi' ? 'en' : 'vi',
      'aria-label': t('languageLabel'),
      onclick: () => {
        setLang(currentLang() === 'vi' ? 'en' : 'vi');
        void render();
      },
    },
    t('language'),
  );
  const account = s
    ? h('span', { class: 'account' }, h('span', { class: 'who' }, `${t('signedInAs')}: ${s.subject}`), ' ', h('button', { type: 'button', class: 'link-button', onclick: () => { signOut(config); void render(); } }, t('signOut')))
    : h('button', { type: 'button', class: 'primary small', onclick: () => void signIn(config, location.hash || '#/') }, t('signIn'));
  return h(
    'header',
    { class: 'site' },
    h('div', { class: 'bar' }, h('a', { class: 'brand', href: '#/' }, h('span', { 'aria-hidden': 'true', class: 'star' }, '★'), ' ', t('appName'), h('small', {}, config.province.name)), h('div', { class: 'tools' }, langButton, account)),
    nav,
  );
}

async function render(): Promise<void> {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = raw.split('?');
  document.documentElement.lang = currentLang();
  const skip = document.querySelector('.skip');
  if (skip) skip.textContent = t('skip');
  const main = h('main', { id: 'main', tabindex: '-1' });
  replace(root, header(), main, h('footer', { class: 'site' }, h('p', {}, config.province.name, ' · ', h('a', { href: '/openapi.json' }, 'API'))));
  const ctx: PageContext = {
    main,
    config,
    params: [],
    query: new URLSearchParams(search),
    requireSignIn() {
      if (session()) return true;
      replace(main, h('h1', {}, t('needSignIn')), h('button', { type: 'button', class: 'primary', onclick: () => void signIn(config, location.hash) }, t('signIn')));
      return false;
    },
    navigate(hash) {
      if (location.hash === hash) void render();
      else location.hash = hash;
    },
  };
  for (const [pattern, page] of routes) {
    const m = pattern.exec(path);
    if (!m) continue;
    try {
      await page({ ...ctx, params: m.slice(1).map(decodeURIComponent) });
    } catch (err) {
      main.append(errorBox(err));
    }
    const heading = main.querySelector('h1');
    document.title = `${heading?.textContent ?? t('appName')} — ${config.province.name}`;
    return;
  }
  replace(main, h('h1', {}, t('notFound')));
}

async function start(): Promise<void> {
  config = (await (await fetch('/config.json')).json()) as PortalConfig;
  try {
    const back = await completeSignIn(config);
    if (back) location.hash = back;
  } catch (err) {
    root.append(errorBox(err));
  }
  window.addEventListener('hashchange', () => {
    void render().then(() => document.getElementById('main')?.focus());
  });
  await render();
}

void start();
