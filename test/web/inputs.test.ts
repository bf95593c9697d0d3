// Inputs the web view's review found giving 500s or answers that disagree, through the real bot:
// days out of the years 1970–9998 (9999's next day has a six-digit year, 0001 was read as 1901),
// control characters (PostgreSQL refuses NUL), cursors and page numbers past what the database's
// integers and Date can take, malformed %-escapes (Bolt's own route matching threw URIError), near
// misses' time to resolve, the evidence page's parameters and its form after the session ended.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import type { Incident } from '../../src/domain/incident.ts';
import { testDatabases } from '../support/databases.ts';
import { aDeclaration, declaring } from '../support/fixtures.ts';
import { csrfOf, getPage, postForm, sessionCookie, useWebBot } from '../support/web.ts';

const users = [{ id: 'UALICE', name: 'alice', real_name: 'Alice', tz: 'Europe/London' }];
const [embedded] = testDatabases();
const DAY_RULE = /&quot;(from|to)&quot; must be a date written YYYY-MM-DD \(a real day, from 1970 to 9998\)/;

describe('the web view’s inputs', () => {
  const env = useWebBot(embedded!, { users });
  let nearMiss: Incident;
  let cookie: string;

  before(async () => {
    cookie = await sessionCookie(env.app, { userId: 'UALICE', name: 'Alice' });
    const now = env.app.bot.deps.clock.now();
    ({ incident: nearMiss } = await env.app.bot.deps.store.createIfAbsent(
      declaring({
        declaration: aDeclaration({ title: 'Wrong chart nearly opened', severity: 'SEV3', nearMiss: true }),
        declaredAt: new Date(now.getTime() - 3600_000),
        via: 'test',
      }),
    ));
  });

  test('a day in year 9999 or before 1970 is a 400 naming it on every page, not a 500 nor 1901', async () => {
    for (const path of [
      '/web/incidents?to=9999-12-31',
      '/web/incidents.csv?to=9999-12-31',
      '/web/incidents?from=0001-01-01',
      '/web/incidents?from=1969-12-31',
      '/web/insights?to=9999-12-31',
      '/web/insights?from=0099-01-01',
    ]) {
      const page = await getPage(env.base, path, cookie);
      assert.equal(page.status, 400, path);
      assert.match(page.text, DAY_RULE, path);
    }
    const csrf = csrfOf((await getPage(env.base, '/web/evidence', cookie)).text);
    for (const period of [
      { from: '9999-01-01', to: '9999-12-31' },
      { from: '0001-01-01', to: '0001-03-31' },
    ]) {
      const answer = await postForm(env.base, '/web/evidence', { csrf, ...period }, cookie, { origin: env.base });
      assert.equal(answer.status, 400, JSON.stringify(period));
      assert.match(answer.text, DAY_RULE);
      assert.match(answer.text, /Some of the parameters are not right/, 'the same words as every page');
    }
    assert.equal(await env.app.bot.db.prisma.evidenceDownload.count(), 0);
    // The last day allowed works, to the end of it.
    assert.equal((await getPage(env.base, '/web/incidents?to=9998-12-31', cookie)).status, 200);
    assert.equal((await getPage(env.base, '/web/insights?from=9998-01-01&to=9998-12-31', cookie)).status, 200);
  });

  test('the same period rules on every page: spaces trimmed, a future from allowed, to alone', async () => {
    const register = await getPage(env.base, '/web/incidents?from=+2099-01-01+', cookie);
    assert.equal(register.status, 200);
    assert.match(register.text, /value="2099-01-01"/);
    const insights = await getPage(env.base, '/web/insights?from=2099-01-01', cookie);
    assert.equal(insights.status, 200, 'a future from, as on the register');
    const toAlone = await getPage(env.base, '/web/insights?to=2026-03-29', cookie);
    assert.equal(toAlone.status, 200);
    assert.match(toAlone.text, /5 Jan 2026 to 29 Mar 2026/);
    const csrf = csrfOf((await getPage(env.base, '/web/evidence', cookie)).text);
    const pack = await postForm(env.base, '/web/evidence', { csrf, from: ' 2026-07-01 ', to: '2026-09-30' }, cookie, {
      origin: env.base,
    });
    assert.equal(pack.status, 200);
    const manifest = JSON.parse(strFromU8(unzipSync(new Uint8Array(pack.body))['manifest.json']!));
    assert.equal(manifest.period.fromDate, '2026-07-01');
    assert.equal(manifest.period.from, '2026-06-30T23:00:00.000Z');
  });

  test('a control character in any text parameter or form field is a 400 naming it', async () => {
    for (const [path, name] of [
      ['/web/incidents?q=%00', 'q'],
      ['/web/incidents?owner=%00', 'owner'],
      ['/web/incidents?service=a%00b', 'service'],
      ['/web/incidents?q=%1B%5B31m', 'q'],
      ['/web/incidents.csv?q=%7F', 'q'],
      ['/web/on-call?scope=%00', 'scope'],
      ['/web/backlog?period=9%00d', 'period'],
    ]) {
      const page = await getPage(env.base, path!, cookie);
      assert.equal(page.status, 400, path);
      assert.match(page.text, new RegExp(`&quot;${name}&quot; must not contain control characters`), path);
    }
    const csrf = csrfOf((await getPage(env.base, '/web/evidence', cookie)).text);
    const form = await postForm(
      env.base,
      '/web/evidence',
      { csrf, from: '2026-07-01\u0000', to: '2026-09-30' },
      cookie,
      {
        origin: env.base,
      },
    );
    assert.equal(form.status, 400);
    assert.match(form.text, /&quot;from&quot; must not contain control characters/);
  });

  test('cursors and page numbers the database or Date cannot take are a 400 naming them', async () => {
    const uuid = randomUUID();
    for (const [path, name] of [
      ['/web/backlog?after=open~~high~99999999999', 'after'],
      ['/web/backlog?after=open~~high~1e3', 'after'],
      [`/web/incidents/${nearMiss.number}?before=-271821-04-20T00:00:00.000Z_${uuid}`, 'before'],
      [`/web/incidents/${nearMiss.number}?after=%2B275760-09-13T00:00:00.000Z_${uuid}`, 'after'],
      [`/web/incidents/${nearMiss.number}?before=1969-12-31T23:59:59.999Z_${uuid}`, 'before'],
      [`/web/incidents/${nearMiss.number}?before=2026-02-30T00:00:00.000Z_${uuid}`, 'before'],
      [`/web/incidents/${nearMiss.number}?before=2026-11-01_${uuid}`, 'before'],
      ['/web/incidents?page=1e3', 'page'],
      ['/web/incidents?page=0x10', 'page'],
      ['/web/incidents.csv?page=1.0', 'page'],
    ]) {
      const page = await getPage(env.base, path!, cookie);
      assert.equal(page.status, 400, path);
      assert.match(page.text, new RegExp(`&quot;${name}&quot; (is not|must be)`), path);
    }
    const ok = await getPage(
      env.base,
      `/web/incidents/${nearMiss.number}?before=${encodeURIComponent(`2026-11-01T00:00:00.000Z_${uuid}`)}`,
      cookie,
    );
    assert.equal(ok.status, 200);
    assert.equal((await getPage(env.base, '/web/backlog?after=open~~high~999999999', cookie)).status, 200);
  });

  test('a malformed %-escape in the address is a 400, whether Bolt or the web route reads it first', async () => {
    for (const path of ['/web/incidents/%E0%A4%A', '/web/%E0', '/web/incidents/INC-1%ZZ/audit']) {
      const page = await getPage(env.base, path, cookie);
      assert.equal(page.status, 400, path);
      assert.match(page.text, /That address cannot be read/, path);
    }
    // Every other route as before.
    assert.equal((await getPage(env.base, '/healthz')).status, 200);
    assert.equal((await getPage(env.base, '/nowhere/%E0')).status, 404);
  });

  test('a near miss has no time to resolve in the register nor its CSV (as on its own page)', async () => {
    const ref = `INC-${nearMiss.number}`;
    const page = await getPage(env.base, `/web/incidents?q=${ref}`, cookie);
    assert.equal(page.status, 200);
    const row = new RegExp(`<tr><td><a href="/web/incidents/${ref}">.*?</tr>`, 's').exec(page.text)?.[0] ?? '';
    assert.match(row, /Near miss/);
    assert.match(row, /<td class="num">—<\/td>/);
    const csv = await getPage(env.base, `/web/incidents.csv?q=${ref}`, cookie);
    const [header, line] = csv.text.split('\r\n');
    const cells = line!.split(',');
    const at = (name: string) => cells[header!.split(',').indexOf(name)];
    assert.equal(at('Near miss'), 'yes');
    assert.equal(at('Time to resolve'), '');
    assert.equal(at('Time to resolve (minutes)'), '');
    assert.notEqual(at('Resolved (Europe/London)'), '', 'the resolve time itself is still listed');
  });

  test('the evidence page takes no parameters; a form sent after the session ended comes back to its page', async () => {
    const page = await getPage(env.base, '/web/evidence?x=1', cookie);
    assert.equal(page.status, 400);
    assert.match(page.text, /Unknown parameter &quot;x&quot;/);
    const expired = await postForm(env.base, '/web/evidence', { csrf: 'x', from: '2026-07-01', to: '2026-09-30' });
    assert.equal(expired.status, 303);
    assert.equal(expired.location, `/web/signin?return_to=${encodeURIComponent('/web/evidence')}`);
  });
});
