// The evidence page through the real bot: the form (last quarter in the viewer's zone by default),
// the download refused without the CSRF token, the ZIP with it, a bad period as a 400 page, and the
// download listed on the page afterwards.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { lastQuarter } from '../../src/domain/evidence-pack.ts';
import { testDatabases } from '../support/databases.ts';
import { declaring } from '../support/fixtures.ts';
import { csrfOf, getPage, postForm, sessionCookie, useWebBot } from '../support/web.ts';

const users = [{ id: 'UAUDIT', name: 'ann', real_name: 'Ann Auditor', tz: 'Europe/London' }];
const [embedded] = testDatabases();

describe('the evidence page', () => {
  const env = useWebBot(embedded!, { users });

  test('GET: the period form (last quarter in the viewer’s zone), what the pack contains, no downloads yet', async () => {
    const cookie = await sessionCookie(env.app, {
      userId: 'UAUDIT',
      name: 'Ann Auditor',
      timeZone: 'Pacific/Auckland',
    });
    const page = await getPage(env.base, '/web/evidence', cookie);
    assert.equal(page.status, 200);
    const q = lastQuarter(env.app.bot.deps.clock.now(), 'Pacific/Auckland');
    assert.match(page.text, new RegExp(`<input type="date" name="from" value="${q.fromDate}"`));
    assert.match(page.text, new RegExp(`<input type="date" name="to" value="${q.toDate}"`));
    assert.match(page.text, /Pacific\/Auckland/);
    assert.match(page.text, /roles-and-approvals\.csv/);
    assert.match(page.text, /No evidence pack has been downloaded yet/);
    assert.match(page.text, /aria-current="page"[^>]*>Evidence|href="\/web\/evidence" aria-current="page"/);
  });

  test('POST without the CSRF token is refused (403) and records nothing', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UAUDIT' });
    const answer = await postForm(env.base, '/web/evidence', { from: '2026-07-01', to: '2026-09-30' }, cookie);
    assert.equal(answer.status, 403);
    assert.equal(await env.app.bot.db.prisma.evidenceDownload.count(), 0);
  });

  test('a bad period is a 400 page naming what is wrong', async () => {
    const cookie = await sessionCookie(env.app, { userId: 'UAUDIT' });
    const csrf = csrfOf((await getPage(env.base, '/web/evidence', cookie)).text);
    for (const [form, why] of [
      [{ from: '2026-13-01', to: '2026-09-30' }, /&quot;from&quot; must be a date written YYYY-MM-DD \(a real day/],
      [{ from: '2026-09-30', to: '2026-07-01' }, /must not be after/],
      [{ from: '2024-01-01', to: '2026-09-30' }, /at most 367 days/],
      [{ from: 'yesterday', to: '' }, /must be a date/],
    ] as const) {
      const answer = await postForm(env.base, '/web/evidence', { csrf, ...form }, cookie, { origin: env.base });
      assert.equal(answer.status, 400, JSON.stringify(form));
      assert.match(answer.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(answer.text, why);
    }
    assert.equal(await env.app.bot.db.prisma.evidenceDownload.count(), 0);
  });

  test('POST with the token: the ZIP as a download, recorded, and listed on the page afterwards', async () => {
    await env.app.bot.deps.store.createIfAbsent(declaring({ declaredAt: new Date('2026-08-03T09:00:00Z') }));
    const cookie = await sessionCookie(env.app, { userId: 'UAUDIT', name: 'Ann Auditor' });
    const csrf = csrfOf((await getPage(env.base, '/web/evidence', cookie)).text);
    const answer = await postForm(env.base, '/web/evidence', { csrf, from: '2026-07-01', to: '2026-09-30' }, cookie, {
      origin: env.base,
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'application/zip');
    assert.equal(
      answer.headers.get('content-disposition'),
      'attachment; filename="evidence-2026-07-01-to-2026-09-30.zip"',
    );
    assert.match(answer.headers.get('cache-control') ?? '', /no-store/);
    const files = unzipSync(new Uint8Array(answer.body));
    assert.ok(files['README.md'] && files['manifest.json'] && files['register.csv']);
    assert.match(strFromU8(files['register.csv']!), /EHR login failing/);
    assert.match(strFromU8(files['README.md']!), /for Ann Auditor \(UAUDIT\)/);

    const [download] = await env.app.bot.deps.audit.evidenceDownloads(1);
    assert.equal(download?.downloadedBy, 'UAUDIT');
    assert.equal(download?.incidents, 1);

    const page = await getPage(env.base, '/web/evidence', cookie);
    assert.doesNotMatch(page.text, /No evidence pack has been downloaded yet/);
    assert.match(page.text, /<td>Ann Auditor<\/td>/, 'who downloaded it, by the name Slack gives');
    assert.match(page.text, /2026-07-01 to 2026-09-30 \(Europe\/London\)/);
    assert.match(page.text, new RegExp(download!.zipSha256.slice(0, 16)));
  });
});
