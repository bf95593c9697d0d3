// The web view in a real browser (Debian's Chromium through playwright-core): sign in with Slack
// through the OpenID Connect stand-in and land on the page asked for; then every section the
// navigation lists and the pages their content links to (read from the pages, so pages that land
// later are covered too), each without console errors or Content-Security-Policy violations and
// without serious or critical axe-core findings; then sign out with the button.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { match } from 'path-to-regexp';
import type { Page } from 'playwright-core';
import { BROADCAST_CHANNEL, commandsTo } from '../support/bot.ts';
import { unzipSync, strFromU8 } from 'fflate';
import { addDays, calendarDate } from '../../src/domain/action-items.ts';
import { assertAccessible, useBrowser, watchedPage } from '../support/browser.ts';
import { testDatabases } from '../support/databases.ts';
import { useOidcStandIn } from '../support/oidc-standin.ts';
import { useWebBot, WEB_TEAM_ID } from '../support/web.ts';
import { WEB_PAGES } from '../../src/web/pages/index.ts';
import { SECTIONS } from '../../src/web/views/layout.ts';

const users = [
  { id: 'UALICE', name: 'alice', real_name: 'Alice Zoë Łukasz', tz: 'Pacific/Auckland' },
  { id: 'UBOB', name: 'bob', real_name: 'Bob Auditor', tz: 'Europe/London' },
  { id: 'UCAROL', name: 'carol', real_name: 'Carol Ní Bhriain', tz: 'America/Santiago' },
];
const [embedded] = testDatabases();

/** Whether the page table has a GET page for this /web path (a page not built yet has none). */
const built = (pathname: string) =>
  WEB_PAGES.some(
    (p) => p.method === 'GET' && match(p.path, { decode: decodeURIComponent })(pathname.slice('/web'.length) || '/'),
  );

describe('the web view in Chromium', () => {
  const standin = useOidcStandIn();
  const env = useWebBot(embedded!, { users, issuer: () => standin.url });
  const chromium = useBrowser();

  /** Links in a page's content to other pages of the web view (not files to download, not the sections). */
  const contentLinks = (page: Page) =>
    page
      .locator('main a[href]')
      .evaluateAll((as) =>
        as.map((a) => (a as HTMLAnchorElement).href).filter((href) => !/\.(csv|zip|json|pdf|png|svg)(\?|$)/.test(href)),
      );

  test('sign in, every section and the pages it links to accessible and clean, sign out', async (t) => {
    // Something to show: an incident declared in Slack (the register links to it).
    env.slack.addChannel({ id: BROADCAST_CHANNEL, name: 'incidents' });
    env.slack.addChannel({ id: 'CGENERAL', name: 'general', members: ['UALICE'] });
    assert.match(await commandsTo(env, 'b')('declare sev2 Pharmacy orders stuck in the queue', 'UALICE'), /INC-\d+/);

    standin.nextUser = { userId: 'UALICE', teamId: WEB_TEAM_ID, name: 'Alice Zoë Łukasz', email: 'alice@example.org' };
    const { browser } = chromium;
    const { context, page, problems } = await watchedPage(browser);
    try {
      // Sign in: the page asked for, through Slack (the stand-in) and back to it.
      const asked = `${env.base}/web/incidents`;
      const landed = await page.goto(asked);
      assert.equal(page.url(), asked, 'back at the page asked for');
      assert.equal(landed?.status(), 200);
      assert.equal(standin.authorizeRequests.length, 1, 'through Slack once');
      const session = (await context.cookies()).find((c) => c.name === 'incident_bot_session');
      assert.ok(session, 'the browser kept the session cookie (Secure, on http://127.0.0.1)');
      assert.deepEqual([session.httpOnly, session.secure, session.sameSite, session.path], [true, true, 'Lax', '/web']);
      assert.equal(session.expires, -1, 'a browser-session cookie: gone when the browser closes');
      assert.ok(!(await context.cookies()).some((c) => c.name === 'incident_bot_signin'), 'the sign-in cookie is gone');
      assert.equal(await page.locator('header .who').textContent(), 'Alice Zoë Łukasz');

      // From the keyboard: the first Tab reaches "Skip to content", which goes to the content.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
      await page.keyboard.press('Enter');
      assert.equal(new URL(page.url()).hash, '#main');

      // Every section the navigation lists, as the page lists it.
      const hrefs = await page
        .locator('nav[aria-label="Sections"] a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
      assert.deepEqual(
        hrefs,
        SECTIONS.map((s) => s.href),
        'the navigation lists the sections',
      );
      // Each page once by its path (a page's other queries are the same page); a section's content
      // links (an incident in the register, say) one level down, a few per section.
      const seen = new Set<string>();
      const visit = async (url: string, what: string) => {
        seen.add(new URL(url).pathname);
        const res = await page.goto(url);
        const status = res?.status() ?? 0;
        // A page not built yet (none in the page table) answers 404, and its 404 page is still
        // checked; a page that is built must answer 200.
        if (built(new URL(url).pathname)) assert.equal(status, 200, `${what} ${url}`);
        else {
          assert.equal(status, 404, `${what} ${url}`);
          t.diagnostic(`${url} is not built yet (404)`);
        }
        assert.equal(await page.locator('h1').count(), 1, `${url} has one main heading`);
        await assertAccessible(browser, page);
        return status;
      };
      for (const href of hrefs) {
        const url = new URL(href, env.base).href;
        if ((await visit(url, 'section')) === 200)
          assert.equal(
            await page.locator('nav a[aria-current="page"]').getAttribute('href'),
            href,
            `${href} marks itself in the navigation`,
          );
        const below = (await contentLinks(page))
          .filter((l) => l.startsWith(`${env.base}/web/`) && !seen.has(new URL(l).pathname))
          .filter((l, i, all) => all.findIndex((o) => new URL(o).pathname === new URL(l).pathname) === i)
          .slice(0, 3);
        for (const link of below) await visit(link, `linked from ${href}`);
      }
      t.diagnostic(`pages checked: ${[...seen].join(' ')}`);
      assert.deepEqual(problems.csp, [], 'no Content-Security-Policy violation');
      assert.deepEqual(problems.lines, [], 'no console error, script error or failed load');

      // Sign out with the button: the page after it, then a page asks for Slack again.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${env.base}/web/signed-out`);
      assert.equal(await page.locator('h1').textContent(), 'Signed out');
      assert.ok(!(await context.cookies()).some((c) => c.name === 'incident_bot_session'), 'the cookie is cleared');
      await assertAccessible(browser, page);
      assert.deepEqual(await env.app.bot.db.prisma.webSession.count({ where: { userId: 'UALICE' } }), 0);
      standin.nextUser = 'deny';
      await page.goto(asked);
      assert.equal(standin.authorizeRequests.length, 2, 'signed out: the page sent the browser to Slack again');
      assert.equal(await page.locator('h1').textContent(), 'Sign-in cancelled');
      await assertAccessible(browser, page);
      assert.deepEqual(problems.lines, [], 'no console error, script error or failed load');
    } finally {
      await context.close();
    }
  });
  test('a private incident: hidden from a non-member everywhere, shown to a member; the evidence pack downloads', async () => {
    env.slack.addChannel({ id: 'CGENERAL2', name: 'general-two', members: ['UCAROL', 'UBOB'] });
    const said = await commandsTo(env, 'p')('declare sev2 Oncology rota leaked --private', 'UCAROL', 'CGENERAL2');
    const ref = /INC-(\d+)/.exec(said)?.[0];
    assert.ok(ref, said);
    const { browser } = chromium;
    const signedIn = async (who: 'UCAROL' | 'UBOB') => {
      standin.nextUser = { userId: who, teamId: WEB_TEAM_ID, name: who, email: `${who.toLowerCase()}@example.org` };
      const watched = await watchedPage(browser);
      await watched.page.goto(`${env.base}/web/incidents?q=${encodeURIComponent('Oncology rota')}`);
      return watched;
    };

    // Bob is not in the incident's channel: no row, no count, and its page is a 404 like a missing one.
    const bob = await signedIn('UBOB');
    try {
      assert.equal(await bob.page.locator('h1').textContent(), 'Incidents');
      assert.doesNotMatch((await bob.page.locator('main').textContent()) ?? '', /Oncology/);
      assert.equal(await bob.page.locator(`main a:text-is("${ref}")`).count(), 0);
      const direct = await bob.page.goto(`${env.base}/web/incidents/${ref}`);
      assert.equal(direct?.status(), 404);
      assert.doesNotMatch((await bob.page.locator('main').textContent()) ?? '', /Oncology/);
      await assertAccessible(browser, bob.page);
    } finally {
      await bob.context.close();
    }

    // Carol declared it (she is in its channel): the row, and its page.
    const carol = await signedIn('UCAROL');
    try {
      await carol.page.locator(`main a:text-is("${ref}")`).click();
      await carol.page.waitForURL(`${env.base}/web/incidents/${ref}`);
      assert.match((await carol.page.locator('h1').textContent()) ?? '', /Oncology rota leaked/);

      // The evidence pack, from the form's button: a ZIP with its manifest, the incident in full for her.
      await carol.page.goto(`${env.base}/web/evidence`);
      await assertAccessible(browser, carol.page);
      // Today in her zone (the default is the last full quarter, before the incident was declared).
      const today = calendarDate(new Date(), 'America/Santiago');
      await carol.page.fill('input[name="from"]', addDays(today, -1));
      await carol.page.fill('input[name="to"]', today);
      const [download] = await Promise.all([
        carol.page.waitForEvent('download'),
        carol.page.getByRole('button', { name: 'Download the evidence pack' }).click(),
      ]);
      assert.match(download.suggestedFilename(), /\.zip$/);
      const file = await download.path();
      const { readFile } = await import('node:fs/promises');
      const files = unzipSync(new Uint8Array(await readFile(file)));
      assert.ok(files['manifest.json'], `the pack has its manifest: ${Object.keys(files).join(', ')}`);
      assert.match(strFromU8(files['register.csv']!), new RegExp(`${ref}.*Oncology rota leaked`));
      // The download is on the page's list of downloads afterwards (the trail auditors see).
      await carol.page.goto(`${env.base}/web/evidence`);
      assert.match(
        (await carol.page.locator('main').textContent()) ?? '',
        /Carol Ní Bhriain/,
        'who downloaded it, by name',
      );
      assert.deepEqual(carol.problems.csp, [], 'no Content-Security-Policy violation');
      assert.deepEqual(carol.problems.lines, [], 'no console error, script error or failed load');
    } finally {
      await carol.context.close();
    }
  });
});
