import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser download is not used). The flags
 * keep it off the network: without them it keeps trying Google's hosts, and tests never leave loopback.
 * Playwright gives each launch a fresh, empty profile folder of its own and removes it on close.
 */
export const chromiumPath = process.env.MOTCUA_CHROMIUM ?? '/usr/bin/chromium';

export interface LaunchedBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} not found: apt-get install chromium (or set MOTCUA_CHROMIUM)`);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's WCAG 2.0/2.1 A and AA rules on the page as it stands; answers the violations, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern (a
  // script tag with it inline would be refused, as the policy means it to be)
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    // the page's own document (this function runs in the browser, where the Node types do not apply)
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

/** Screenshots for the README, only when asked (MOTCUA_SCREENSHOTS=<folder>); never part of an assertion. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const dir = process.env.MOTCUA_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: options.fullPage ?? true });
}
