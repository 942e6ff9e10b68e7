/**
 * Screenshots of the main pages for docs/screenshots/, taken during the browser story.
 * Written only with UPDATE_SCREENSHOTS=1, so ordinary test runs leave the tree clean.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../../scripts/web-build.ts';

export const SCREENSHOT_DIR = join(ROOT, 'docs', 'screenshots');
export const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (!UPDATE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Focus rings and the blinking caret would differ from run to run.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: options.fullPage ?? true, caret: 'hide', animations: 'disabled' });
}
