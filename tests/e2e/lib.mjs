// lib.mjs - what the browser tests and the browser bench share: Debian's
// Chromium through playwright-core (headless, no sandbox, no background
// networking), and the API suite's harness for the server and its people.
import { chromium } from 'playwright-core';

export { env, client, call, show, rawFetch } from '../api/lib/harness.mjs';

export const CHROMIUM = process.env.SONNIM_CHROMIUM || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

// A new page at /agent/ in its own context (its own cookies and storage).
export async function openApp(browser, server, { locale = 'en-US', colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ locale, colorScheme, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(`${server.url}/agent/`);
  return { context, page };
}

export async function signIn(page, person) {
  await page.fill('input[name=email]', person.email);
  await page.fill('input[name=password]', person.password);
  await page.press('input[name=password]', 'Enter');
}
