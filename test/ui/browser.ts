import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it); playwright never downloads one. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of every page the browser tests visit (git-ignored). */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-results', 'ui');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container needs --no-sandbox; the rest keeps Chromium off the (closed) network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page that records every console error, uncaught exception and CSP refusal. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** What went wrong in the page since the last `takeProblems()`. */
  takeProblems(): string[];
}

export async function openPage(
  browser: Browser,
  opts: { baseURL: string; locale: string; viewport?: { width: number; height: number } },
): Promise<WatchedPage> {
  const context = await browser.newContext({
    baseURL: opts.baseURL,
    locale: opts.locale,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  let problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return {
    context,
    page,
    takeProblems: () => {
      const taken = problems;
      problems = [];
      return taken;
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Waits until the element's text is exactly `text` (the page updates itself, no reload). */
export async function waitForText(page: Page, selector: string, text: string, timeout = 5000): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, expected]) => document.querySelector(sel)?.textContent?.trim() === expected,
      [selector, text] as const,
      { timeout },
    );
  } catch (err) {
    const actual = await page
      .locator(selector)
      .first()
      .textContent({ timeout: 100 })
      .catch(() => null);
    throw new Error(`${selector}: expected "${text}", shows ${JSON.stringify(actual)}`, { cause: err });
  }
}
