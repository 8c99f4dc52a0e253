/**
 * Helpers for browser tests: Debian's chromium driven by playwright-core (headless), a page
 * that records console errors and uncaught exceptions, and screenshots kept under
 * `test-results/<folder>/` (git-ignored) so a test run leaves them for people to look at.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ROOT } from './e2e.ts';

/** Where chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/** A page plus the console errors and page errors it has produced so far. */
export interface WatchedPage {
  page: Page;
  errors: string[];
}

/** Opens a page that records `console.error` messages and uncaught exceptions. */
export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { page, errors };
}

/** Saves screenshots as `test-results/<folder>/<name>.png` and remembers their paths. */
export class Screenshots {
  readonly dir: string;
  readonly saved: string[] = [];

  constructor(folder: string) {
    this.dir = join(ROOT, 'test-results', folder);
  }

  /** Takes a full-page screenshot of `page`; returns its path. */
  async take(page: Page, name: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    this.saved.push(path);
    return path;
  }
}
