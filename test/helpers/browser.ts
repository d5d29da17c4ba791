/**
 * Headless Chromium for the UI's browser tests: Debian's package (`apt-get install chromium`,
 * which .ci/run does), driven by playwright-core; no browser is ever downloaded.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.AMPSTREAM_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots go: docs/ui/ when refreshing the docs (`npm run ui:screenshots`), else a temp dir. */
export function screenshotDir(fallback: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? new URL('../../docs/ui/', import.meta.url).pathname : fallback;
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set AMPSTREAM_CHROMIUM`);
  }
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start; the pages are our own
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
}

/** A browser window that records every console error and uncaught page error, to assert none. */
export interface WatchedWindow {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

export async function openWindow(browser: Browser, viewport: { width: number; height: number }): Promise<WatchedWindow> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${page.url()})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message} (${page.url()})`));
  return { context, page, problems };
}

/** Saves a full-page screenshot as `<name>.png` and returns its path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
