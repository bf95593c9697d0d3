// The web view's one route: security headers, the session (none, forged, expired: sign in and come
// back), the CSRF check of every form, unknown pages, and the web view off when not configured.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestBot } from '../support/bot.ts';
import { testDatabases } from '../support/databases.ts';
import { csrfOf, getPage, postForm, sessionCookie, useWebBot } from '../support/web.ts';

const users = [{ id: 'UALICE', name: 'alice', real_name: 'Alice Zoë Łukasz', tz: 'Europe/London' }];
const [embedded] = testDatabases();

describe('the web view route', () => {
  const env = useWebBot(embedded!, { users });

  test('every answer carries a strict Content-Security-Policy and the other security headers', async () => {
    const page = await getPage(env.base, '/web/static/app.css');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/css/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline|unsafe-eval/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
  });

  test('without a session a page sends the person to sign in, and back to the page asked for after', async () => {
    const page = await getPage(env.base, '/web/incidents?severity=SEV1');
    assert.equal(page.status, 303);
    assert.equal(page.location, `/web/signin?return_to=${encodeURIComponent('/web/incidents?severity=SEV1')}`);
  });

  test('a cookie the bot did not sign, or whose session expired, is refused and cleared', async () => {
    const forged = await getPage(env.base, '/web/incidents', 'incident_bot_session=abc.def');
    assert.equal(forged.status, 303);
    assert.match(forged.headers.get('set-cookie') ?? '', /incident_bot_session=;.*Max-Age=0/);
    const cookie = await sessionCookie(env.app, { userId: 'UALICE' });
    await env.app.bot.db.prisma.webSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await getPage(env.base, '/web/', cookie);
    assert.equal(expired.status, 303);
    assert.match(expired.location ?? '', /^\/web\/signin\?return_to=/);
  });

  test('a signed-in person gets pages; an unknown one is a 404 page saying so', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE', name: 'Alice Zoë' });
    const home = await getPage(env.base, '/web/', cookie);
    assert.equal(home.status, 303);
    assert.equal(home.location, '/web/incidents');
    const missing = await getPage(env.base, '/web/no-such-page', cookie);
    assert.equal(missing.status, 404);
    assert.match(missing.text, /There is no such page/);
    assert.match(missing.text, /Alice Zoë/, 'the page header names who is signed in');
    assert.match(missing.headers.get('cache-control') ?? '', /no-store/);
  });

  test('a form posted without the session’s CSRF token, or from another origin, is refused (403)', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UALICE' });
    const page = await getPage(env.base, '/web/incidents', cookie);
    const csrf = csrfOf(page.text);
    const without = await postForm(env.base, '/web/signout', {}, cookie);
    assert.equal(without.status, 403);
    const wrong = await postForm(env.base, '/web/signout', { csrf: `${csrf.slice(0, -2)}xx` }, cookie);
    assert.equal(wrong.status, 403);
    const elsewhere = await postForm(env.base, '/web/signout', { csrf }, cookie, { origin: 'https://evil.example' });
    assert.equal(elsewhere.status, 403);
    const multipart = await fetch(`${env.base}/web/signout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'text/plain' },
      body: `csrf=${csrf}`,
    });
    assert.equal(multipart.status, 415);
    // A form over 64 KiB: 413, and the connection is closed (the rest of it is never read).
    const large = await postForm(env.base, '/web/signout', { csrf, pad: 'x'.repeat(65 * 1024) }, cookie);
    assert.equal(large.status, 413);
    assert.equal(large.headers.get('connection'), 'close');
    // With the token, from this origin: signed out, and the cookie no longer opens a page.
    const out = await postForm(env.base, '/web/signout', { csrf }, cookie, { origin: env.base });
    assert.equal(out.status, 303);
    assert.equal(out.location, '/web/signed-out');
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await getPage(env.base, '/web/incidents', cookie)).status, 303);
  });
});

describe('the web view when it is not configured', () => {
  const env = useTestBot(embedded!, { users });
  test('answers 404 under /web', async () => {
    const res = await fetch(`${env.app.url}/web/incidents`, { redirect: 'manual' });
    assert.equal(res.status, 404);
  });
});
