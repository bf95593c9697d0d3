// The web view in a real browser: Debian's Chromium driven by playwright-core (one launch per test
// file, a fresh context per test), what a page logs that it should not (console errors, failed
// loads, Content-Security-Policy violations, script errors), and axe-core's accessibility check.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it); CHROMIUM_PATH names another. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Inside a describe: Chromium, launched before the tests and closed after (`holder.browser`). */
export function useBrowser(): { browser: Browser } {
  const holder = {} as { browser: Browser };
  before(async () => {
    assert.ok(
      fs.existsSync(CHROMIUM_PATH),
      `no Chromium at ${CHROMIUM_PATH}: install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH`,
    );
    holder.browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  after(async () => {
    await holder.browser?.close();
  });
  return holder;
}

/** What went wrong on a page as the browser saw it, one readable line each. */
export interface PageProblems {
  /** Console errors (CSP violations are among them), uncaught script errors, failed subresources. */
  lines: string[];
  /** CSP violations alone (also in `lines`). */
  csp: string[];
}

/**
 * A page in a fresh context (the CSP enforced, as a person's browser would) that records its problems.
 * The main document's own status is the caller's to check (a 404 page logs "Failed to load resource").
 */
export async function watchedPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ locale: 'en-GB', javaScriptEnabled: true });
  const page = await context.newPage();
  const problems: PageProblems = { lines: [], csp: [] };
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const text = msg.text();
    const isCsp = /Content Security Policy/i.test(text);
    // The document's own 4xx is reported by the caller from its status.
    if (!isCsp && msg.type() === 'warning') return;
    if (/^Failed to load resource/.test(text) && msg.location().url === page.url()) return;
    problems.lines.push(`console ${msg.type()} on ${page.url()}: ${text} (${msg.location().url})`);
    if (isCsp) problems.csp.push(`${page.url()}: ${text}`);
  });
  page.on('pageerror', (err) => problems.lines.push(`script error on ${page.url()}: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A navigation replaced by the next one is not a problem of the page.
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && req.resourceType() === 'document') return;
    problems.lines.push(`request failed on ${page.url()}: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  page.on('response', (res) => {
    if (res.request().resourceType() !== 'document' && res.status() >= 400)
      problems.lines.push(`${res.status()} for ${res.url()} on ${page.url()}`);
  });
  return { context, page, problems };
}

/** One accessibility violation as axe reports it (the parts worth reading). */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * axe-core's check of what `page` shows now: the same document, served again from the browser's
 * copy (so nothing is asked of the bot twice) in a context of its own that bypasses the CSP (the
 * pages allow no script; axe is one), with the bot's stylesheet. The serious and critical
 * violations, each as readable lines.
 */
export async function axeViolations(browser: Browser, page: Page): Promise<string[]> {
  const url = page.url();
  const shown = await page.content();
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB' });
  try {
    const copy = await context.newPage();
    await copy.route(url, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: shown }),
    );
    await copy.goto(url, { waitUntil: 'load' });
    await copy.addScriptTag({ path: AXE_SCRIPT });
    const violations = await copy.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<unknown> } }).axe;
      const result = (await axe.run(document, { resultTypes: ['violations'] })) as { violations: unknown[] };
      return result.violations;
    });
    return (violations as AxeViolation[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}) on ${url}: ${v.help} <${v.helpUrl}>\n${v.nodes
            .slice(0, 5)
            .map(
              (n) =>
                `    at ${n.target.join(' ')}${n.failureSummary ? `: ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
            )
            .join('\n')}`,
      );
  } finally {
    await context.close();
  }
}

/** Fails with every violation listed when axe finds serious or critical ones on what `page` shows. */
export async function assertAccessible(browser: Browser, page: Page): Promise<void> {
  const found = await axeViolations(browser, page);
  assert.deepEqual(found, [], `accessibility violations (serious or critical):\n${found.join('\n')}`);
}
