// Sign in with Slack end to end: the bot, its OpenID Connect round trip through a stand-in shaped like
// Slack's (test/support/oidc-standin.ts), and what the bot refuses (another workspace, an id_token
// for another client, expired, forged, with another nonce or issuer; a state that does not match;
// a sign-in answered twice, a code Slack refuses; guests, deactivated people and people Slack does
// not know), a cancelled sign-in, sign-out, an expired session back to the page asked for, Slack
// unreachable (a 503 page, then the next sign-in works); during a session: someone deactivated loses
// it at the next re-check, a Slack outage keeps the pages readable, the idle timeout; then the pages
// alone: the workspace unknown, and what is logged.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDatabases } from '../support/databases.ts';
import { CookieJar, browse, follow, type Misbehaviour, useOidcStandIn } from '../support/oidc-standin.ts';
import {
  csrfOf,
  postForm,
  useWebBot,
  WEB_CLIENT_ID,
  WEB_CLIENT_SECRET,
  WEB_SESSION_SECRET,
  WEB_TEAM_ID,
} from '../support/web.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { TestClock } from '../support/deps.ts';
import type { WebSession } from '../../src/ports/web-sessions.ts';
import type { WebDeps, WebRequest } from '../../src/web/context.ts';
import { AUTH_PAGES } from '../../src/web/pages/auth.ts';

const users = [
  { id: 'UALICE', name: 'alice', real_name: 'Alice Zoë Łukasz', tz: 'America/New_York' },
  // A Slack time zone the runtime does not know.
  { id: 'UCAROL', name: 'carol', tz: 'Mars/Olympus_Mons' },
  { id: 'UGUEST', name: 'gus', is_restricted: true },
  { id: 'USINGLE', name: 'sol', is_ultra_restricted: true },
  { id: 'UGONE', name: 'dee', deleted: true },
  { id: 'UBOB', name: 'bob', tz: 'Europe/London' },
  { id: 'UDAN', name: 'dan', tz: 'Europe/London' },
];
const alice = { userId: 'UALICE', teamId: WEB_TEAM_ID, name: 'Alice Zoë Łukasz', email: 'alice@example.org' };
const [embedded] = testDatabases();

describe('sign in with Slack', () => {
  // The stand-in first: useWebBot reads its address when the bot starts.
  const standin = useOidcStandIn();
  // The bot's clock: the tests at the end move it on (the standing re-check, the idle timeout).
  const clock = new TestClock();
  const env = useWebBot(embedded!, { users, clock, issuer: () => standin.url });
  const sessions = () => env.app.bot.db.prisma.webSession.findMany({ orderBy: { createdAt: 'asc' } });

  /** From `path` (a page, or /web/signin?…) through Slack and back: every hop, the jar with the cookies. */
  const signIn = async (path: string, jar = new CookieJar()) => ({
    jar,
    hops: await follow(jar, `${env.base}${path}`),
  });
  const last = (hops: { url: string; res: Response }[]) => hops[hops.length - 1]!;
  /** The callback's answer (the hop after the stand-in's authorize endpoint). */
  const callbackOf = (hops: { url: string; res: Response }[]) => {
    const hop = hops.find((h) => h.url.startsWith(`${env.base}/web/auth/callback`));
    assert.ok(hop, `the callback was reached: ${hops.map((h) => `${h.res.status} ${h.url}`).join(' → ')}`);
    return hop;
  };

  test('Slack unreachable: the sign-in page says so (503) and the bot carries on; the next sign-in discovers Slack', async () => {
    standin.discoveryDown = true;
    const down = await browse(new CookieJar(), `${env.base}/web/signin?return_to=%2Fweb%2Fincidents`);
    assert.equal(down.status, 503);
    const text = await down.text();
    assert.match(text, /Slack sign-in cannot be reached/);
    assert.match(text, /href="\/web\/signin\?return_to=%2Fweb%2Fincidents"/, 'a link to try again, to the same page');
    assert.equal(down.headers.getSetCookie().length, 0, 'no sign-in cookie when nothing was started');
    assert.equal((await fetch(`${env.base}/web/static/app.css`)).status, 200, 'the bot still answers');
    assert.equal((await fetch(`${env.app.url}/healthz`)).status, 200, 'and is healthy');

    standin.discoveryDown = false;
    standin.nextUser = alice;
    const { hops } = await signIn('/web/incidents');
    assert.equal(last(hops).res.status, 200, 'discovered at the next sign-in, which works');
  });

  test('a page without a session goes to Slack and back to that page, signed in as the id_token says', async () => {
    standin.nextUser = alice;
    const before = (await sessions()).length;
    const asked = '/web/incidents?severity=SEV1';
    const { jar, hops } = await signIn(asked);
    const [page, signin, authorize, callback, back] = hops;
    assert.equal(hops.length, 5, hops.map((h) => `${h.res.status} ${h.url}`).join(' → '));
    assert.equal(page!.res.status, 303);
    assert.equal(signin!.url, `${env.base}/web/signin?return_to=${encodeURIComponent(asked)}`);

    // To Slack: the scopes, our callback, a state and a nonce, the workspace hint; the cookie remembering them.
    assert.equal(signin!.res.status, 303);
    const auth = new URL(authorize!.url);
    assert.equal(`${auth.origin}${auth.pathname}`, `${standin.url}/openid/connect/authorize`);
    assert.equal(auth.searchParams.get('scope'), 'openid profile', 'no email: nothing uses it');
    assert.equal(auth.searchParams.get('response_type'), 'code');
    assert.equal(auth.searchParams.get('client_id'), WEB_CLIENT_ID);
    assert.equal(auth.searchParams.get('redirect_uri'), `${env.base}/web/auth/callback`);
    assert.equal(auth.searchParams.get('team'), WEB_TEAM_ID);
    assert.match(auth.searchParams.get('state') ?? '', /^[\w-]{32,}$/);
    assert.match(auth.searchParams.get('nonce') ?? '', /^[\w-]{32,}$/);
    assert.equal(auth.searchParams.get('code_challenge'), null, 'no PKCE: a confidential client with state and nonce');
    const pending = signin!.res.headers.getSetCookie().find((c) => c.startsWith('incident_bot_signin='));
    assert.ok(pending);
    for (const attr of ['Path=/web/auth', 'Max-Age=600', 'HttpOnly', 'Secure', 'SameSite=Lax'])
      assert.ok(pending.split('; ').includes(attr), `${attr} in ${pending}`);
    assert.doesNotMatch(
      decodeURIComponent(pending),
      new RegExp(auth.searchParams.get('nonce')!),
      'the nonce is not readable in the cookie as is',
    );

    // The code exchanged with the client secret in the form (client_secret_post), for our callback.
    const exchange = standin.tokenRequests.at(-1)!;
    assert.equal(exchange.get('client_secret'), WEB_CLIENT_SECRET);
    assert.equal(exchange.get('redirect_uri'), `${env.base}/web/auth/callback`);

    // Back at the page asked for, with a session; the sign-in cookie cleared.
    assert.equal(callback!.res.status, 303);
    assert.equal(callback!.res.headers.get('location'), asked);
    assert.ok(jar.has('incident_bot_session'));
    const session = callback!.res.headers.getSetCookie().find((c) => c.startsWith('incident_bot_session='));
    assert.ok(session);
    for (const attr of ['Path=/web', 'HttpOnly', 'Secure', 'SameSite=Lax'])
      assert.ok(session.split('; ').includes(attr), `${attr} in ${session}`);
    assert.doesNotMatch(session, /Max-Age|Expires/i, 'a browser-session cookie: closing the browser ends it');
    assert.ok(!jar.has('incident_bot_signin'), 'the sign-in cookie is single use');
    assert.equal(back!.res.status, 200);
    assert.match(await back!.res.text(), /Alice Zoë Łukasz/, 'the header names who signed in');

    const made = (await sessions()).slice(before);
    assert.equal(made.length, 1);
    assert.deepEqual(
      { userId: made[0]!.userId, teamId: made[0]!.teamId, name: made[0]!.name, timeZone: made[0]!.timeZone },
      { userId: 'UALICE', teamId: WEB_TEAM_ID, name: 'Alice Zoë Łukasz', timeZone: 'America/New_York' },
      'the person, their workspace, and their Slack time zone',
    );
  });

  test("someone whose Slack time zone the runtime does not know gets the team's", async () => {
    standin.nextUser = { userId: 'UCAROL', teamId: WEB_TEAM_ID, name: 'Carol', email: 'carol@example.org' };
    const { hops } = await signIn('/web/signin');
    assert.equal(callbackOf(hops).res.status, 303);
    const carol = (await sessions()).filter((s) => s.userId === 'UCAROL').at(-1)!;
    assert.equal(carol.timeZone, env.app.bot.deps.settings.defaultTimeZone);
  });

  test('return_to is kept only when it is a page of the web view; another site is ignored', async () => {
    standin.nextUser = alice;
    const cases: [string, string][] = [
      ['/web/backlog?team=payments', '/web/backlog?team=payments'],
      ['//evil.example', '/web/incidents'],
      ['https://evil.example/web/incidents', '/web/incidents'],
      ['/\\evil.example', '/web/incidents'],
      ['/web/../../evil', '/web/incidents'],
      ['/elsewhere', '/web/incidents'],
    ];
    for (const [given, expected] of cases) {
      const { hops } = await signIn(`/web/signin?return_to=${encodeURIComponent(given)}`);
      const cb = callbackOf(hops);
      assert.equal(cb.res.status, 303, given);
      assert.equal(cb.res.headers.get('location'), expected, given);
    }
  });

  test('a member of another workspace is refused (403) and nothing is stored', async () => {
    standin.nextUser = { ...alice, teamId: 'T0OTHER' };
    const before = (await sessions()).length;
    const { jar, hops } = await signIn('/web/signin?return_to=%2Fweb%2Finsights');
    const cb = callbackOf(hops);
    assert.equal(cb.res.status, 403);
    const text = await cb.res.text();
    assert.match(text, /workspace this bot does not serve/);
    assert.match(text, /href="\/web\/signin\?return_to=%2Fweb%2Finsights"/);
    assert.ok(!jar.has('incident_bot_session'));
    assert.ok(!jar.has('incident_bot_signin'));
    assert.equal((await sessions()).length, before);
  });

  test('an id_token for another client, expired, forged, with another nonce or issuer, or naming no one, is refused', async () => {
    standin.nextUser = alice;
    const before = (await sessions()).length;
    const faults: Misbehaviour[] = [
      'wrong-audience',
      'expired',
      'forged-signature',
      'wrong-nonce',
      'wrong-issuer',
      'no-slack-claims',
    ];
    for (const fault of faults) {
      standin.misbehave = fault;
      const { jar, hops } = await signIn('/web/signin');
      const cb = callbackOf(hops);
      assert.equal(cb.res.status, 403, fault);
      assert.match(await cb.res.text(), /you are not signed in/, fault);
      assert.ok(!jar.has('incident_bot_session'), fault);
      assert.equal(standin.misbehave, null, `${fault}: the stand-in was asked for a token`);
    }
    assert.equal((await sessions()).length, before);
    // …and the stand-in behaving again signs in.
    const { hops } = await signIn('/web/signin');
    assert.equal(callbackOf(hops).res.status, 303);
  });

  test('a state that does not match the sign-in cookie, no cookie, or a cookie not ours: 400, and no code is exchanged', async () => {
    standin.nextUser = alice;
    const jar = new CookieJar();
    const started = await browse(jar, `${env.base}/web/signin`);
    const authorize = started.headers.get('location')!;
    const fromSlack = (await fetch(authorize, { redirect: 'manual' })).headers.get('location')!;
    const exchanged = standin.tokenRequests.length;

    const tampered = new URL(fromSlack);
    tampered.searchParams.set('state', 'x'.repeat(43));
    const answers = [
      await browse(jar, tampered.href),
      await fetch(fromSlack, { redirect: 'manual' }),
      await fetch(fromSlack, { redirect: 'manual', headers: { cookie: 'incident_bot_signin=abc.def' } }),
    ];
    for (const res of answers) {
      assert.equal(res.status, 400);
      assert.match(await res.text(), /does not match a sign-in started here/);
    }
    assert.equal(standin.tokenRequests.length, exchanged, 'the code was never sent to Slack');
  });

  test('a sign-in answered once is not answered again: replayed (same code or another), refused before Slack is asked', async () => {
    standin.nextUser = alice;
    const jar = new CookieJar();
    const started = await browse(jar, `${env.base}/web/signin`);
    const pending = jar.pair('incident_bot_signin');
    const fromSlack = (await fetch(started.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!;
    const first = await fetch(fromSlack, { redirect: 'manual', headers: { cookie: pending } });
    assert.equal(first.status, 303);
    const exchanged = standin.tokenRequests.length;
    const junk = new URL(fromSlack);
    junk.searchParams.set('code', 'junk-code-0000');
    for (const replay of [fromSlack, junk.href]) {
      const again = await fetch(replay, { redirect: 'manual', headers: { cookie: pending } });
      assert.equal(again.status, 400);
      assert.match(await again.text(), /does not match a sign-in started here/);
      assert.equal(again.headers.getSetCookie().filter((c) => c.startsWith('incident_bot_session=')).length, 0);
    }
    assert.equal(standin.tokenRequests.length, exchanged, 'Slack was not asked again');
  });

  test('a code Slack refuses: 400 naming its error, and nobody is signed in', async () => {
    standin.nextUser = alice;
    const jar = new CookieJar();
    const started = await browse(jar, `${env.base}/web/signin`);
    const pending = jar.pair('incident_bot_signin');
    const fromSlack = new URL(
      (await fetch(started.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!,
    );
    fromSlack.searchParams.set('code', 'not-a-code-slack-gave');
    const answer = await fetch(fromSlack, { redirect: 'manual', headers: { cookie: pending } });
    assert.equal(answer.status, 400);
    assert.match(await answer.text(), /Slack did not complete the sign-in \(invalid_code\)/);
    assert.equal(answer.headers.getSetCookie().filter((c) => c.startsWith('incident_bot_session=')).length, 0);
  });

  test('Cancel at Slack: a page saying sign-in was cancelled, with a link to try again', async () => {
    standin.nextUser = 'deny';
    const { jar, hops } = await signIn('/web/incidents?q=evidence');
    const cb = callbackOf(hops);
    assert.equal(cb.res.status, 200);
    const text = await cb.res.text();
    assert.match(text, /Sign-in cancelled/);
    assert.match(text, /href="\/web\/signin\?return_to=%2Fweb%2Fincidents%3Fq%3Devidence"/);
    assert.ok(!jar.has('incident_bot_session'));
    standin.nextUser = alice;
  });

  test('sign-out ends the session: its cookie opens no page any more', async () => {
    standin.nextUser = alice;
    const { jar, hops } = await signIn('/web/incidents');
    const page = await last(hops).res.text();
    const cookie = jar.header('/web/signout');
    const stolen = jar.pair('incident_bot_session');
    const before = (await sessions()).length;
    const out = await postForm(env.base, '/web/signout', { csrf: csrfOf(page) }, cookie, { origin: env.base });
    assert.equal(out.status, 303);
    assert.equal(out.location, '/web/signed-out');
    assert.match(out.headers.get('set-cookie') ?? '', /incident_bot_session=;.*Max-Age=0/);
    assert.equal((await sessions()).length, before - 1, 'the session is gone from the database');
    // Even the cookie as it was (kept by someone) no longer opens a page.
    const after = await fetch(`${env.base}/web/incidents`, { redirect: 'manual', headers: { cookie: stolen } });
    assert.equal(after.status, 303);
    assert.match(after.headers.get('location') ?? '', /^\/web\/signin\?/);
  });

  test('signing in again in the same browser ends the session it had', async () => {
    standin.nextUser = alice;
    const { jar } = await signIn('/web/incidents');
    const first = jar.pair('incident_bot_session');
    const before = (await sessions()).length;
    await follow(jar, `${env.base}/web/signin`);
    assert.notEqual(jar.pair('incident_bot_session'), first, 'a new session');
    assert.equal((await sessions()).length, before, 'the old one ended as the new one began');
    const old = await fetch(`${env.base}/web/incidents`, { redirect: 'manual', headers: { cookie: first } });
    assert.equal(old.status, 303);
  });

  test('a sign-in refused or cancelled in a browser ends the session that browser had (a shared workstation)', async () => {
    standin.nextUser = alice;
    const { jar } = await signIn('/web/incidents');
    const first = jar.pair('incident_bot_session');
    const open = () => fetch(`${env.base}/web/incidents`, { redirect: 'manual', headers: { cookie: first } });
    assert.equal((await open()).status, 200, 'Alice is signed in');
    // Someone else at the keyboard tries, as a guest of the workspace: refused, and Alice's session is over.
    standin.nextUser = as('UGUEST');
    const hops = await follow(jar, `${env.base}/web/signin`);
    assert.equal(callbackOf(hops).res.status, 403);
    assert.ok(!jar.has('incident_bot_session'), 'the cookie is cleared');
    assert.equal((await open()).status, 303, 'and the session ended in the database');
    // A cancel at Slack ends it too.
    standin.nextUser = alice;
    await signIn('/web/incidents', jar);
    const second = jar.pair('incident_bot_session');
    standin.nextUser = 'deny';
    await follow(jar, `${env.base}/web/signin`);
    const again = await fetch(`${env.base}/web/incidents`, { redirect: 'manual', headers: { cookie: second } });
    assert.equal(again.status, 303);
    // An answer that matches no sign-in started here (a link someone sent) changes nothing.
    standin.nextUser = alice;
    await signIn('/web/incidents', jar);
    const third = jar.pair('incident_bot_session');
    await fetch(`${env.base}/web/auth/callback?state=forged&code=x`, {
      redirect: 'manual',
      headers: { cookie: third },
    });
    const kept = await fetch(`${env.base}/web/incidents`, { redirect: 'manual', headers: { cookie: third } });
    assert.equal(kept.status, 200, 'still signed in');
  });

  test('an expired session: sign in again and come back to the page asked for', async () => {
    standin.nextUser = alice;
    const { jar } = await signIn('/web/incidents');
    await env.app.bot.db.prisma.webSession.updateMany({
      where: { userId: 'UALICE' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    // (The pages on their way may not take this query yet: the round trip is what is tested.)
    const asked = '/web/incidents?status=open';
    const hops = await follow(jar, `${env.base}${asked}`);
    assert.deepEqual(
      hops.map((h) => new URL(h.url).pathname),
      ['/web/incidents', '/web/signin', '/openid/connect/authorize', '/web/auth/callback', '/web/incidents'],
    );
    assert.equal(hops[0]!.res.status, 303);
    assert.equal(hops.at(-1)!.url, `${env.base}${asked}`, 'back at the page asked for, query and all');
    assert.notEqual(hops.at(-1)!.res.status, 303, 'signed in again');
  });

  const as = (userId: string) => ({ userId, teamId: WEB_TEAM_ID, name: userId, email: `${userId}@example.org` });

  test('guests (multi- and single-channel), deactivated people and people Slack does not know are refused (403), nothing stored', async () => {
    const before = (await sessions()).length;
    const cases: [string, RegExp][] = [
      ['UGUEST', /Guests of the Slack workspace cannot use the web view/],
      ['USINGLE', /Guests of the Slack workspace cannot use the web view/],
      ['UGONE', /deactivated/],
      ['UNOBODY', /Slack does not know your account/],
    ];
    for (const [userId, says] of cases) {
      standin.nextUser = as(userId);
      const { jar, hops } = await signIn('/web/signin?return_to=%2Fweb%2Fevidence');
      const cb = callbackOf(hops);
      assert.equal(cb.res.status, 403, userId);
      assert.match(await cb.res.text(), says, userId);
      assert.ok(!jar.has('incident_bot_session'), userId);
      assert.ok(!jar.has('incident_bot_signin'), userId);
    }
    assert.equal((await sessions()).length, before, 'no session for any of them');
  });

  test('Slack not answering whether someone is a member: not signed in (503, try again), nothing stored', async () => {
    standin.nextUser = as('UBOB');
    const before = (await sessions()).length;
    env.slack.failNext('users.info', { error: 'internal_error' });
    const { jar, hops } = await signIn('/web/signin');
    const cb = callbackOf(hops);
    assert.equal(cb.res.status, 503);
    assert.match(await cb.res.text(), /could not check your Slack account with Slack/);
    assert.ok(!jar.has('incident_bot_session'));
    assert.equal((await sessions()).length, before);
  });

  test('deactivated during a session: within ten minutes every session of theirs ends, and they are told access ended', async () => {
    standin.nextUser = as('UBOB');
    const one = await signIn('/web/incidents');
    const two = await signIn('/web/incidents');
    assert.equal(last(one.hops).res.status, 200);
    assert.equal((await sessions()).filter((x) => x.userId === 'UBOB').length, 2, 'two browsers');
    const bob = env.slack.users.get('UBOB')!;
    bob.deleted = true;
    // Slack's answer at sign-in is kept for ten minutes…
    clock.advance(9 * 60_000);
    assert.equal((await follow(one.jar, `${env.base}/web/incidents`)).at(-1)!.res.status, 200);
    // …then asked again: the page is refused, both sessions end.
    clock.advance(61_000);
    const asked = await browse(one.jar, `${env.base}/web/incidents`);
    assert.equal(asked.status, 303);
    assert.equal(asked.headers.get('location'), '/web/access-ended');
    assert.match(asked.headers.getSetCookie().join('\n'), /incident_bot_session=;.*Max-Age=0/);
    assert.equal((await sessions()).filter((x) => x.userId === 'UBOB').length, 0);
    const other = await browse(two.jar, `${env.base}/web/incidents`);
    assert.equal(other.status, 303);
    assert.match(other.headers.get('location') ?? '', /^\/web\/signin\?/, 'the other browser must sign in again');
    const ended = await fetch(`${env.base}/web/access-ended`);
    assert.equal(ended.status, 403);
    assert.match(await ended.text(), /Your access to the incident bot's web view has ended/);
    // And signing in again is refused.
    const again = await signIn('/web/incidents');
    assert.equal(callbackOf(again.hops).res.status, 403);
    bob.deleted = false;
  });

  test('Slack unreachable during a session: the last answer is kept and the pages stay readable', async () => {
    standin.nextUser = as('UDAN');
    const { jar } = await signIn('/web/incidents');
    clock.advance(11 * 60_000);
    const calls = env.slack.callsTo('users.info').length;
    env.slack.failNext('users.info', { error: 'internal_error' });
    assert.equal((await browse(jar, `${env.base}/web/incidents`)).status, 200, 'still a member, as last known');
    assert.equal(env.slack.callsTo('users.info').length, calls + 1, 'Slack was asked');
    assert.equal((await sessions()).filter((x) => x.userId === 'UDAN').length, 1);
  });

  test('a session unused for WEB_SESSION_IDLE_MINUTES (60) ends; using it keeps it, written at most once a minute', async () => {
    standin.nextUser = alice;
    const { jar } = await signIn('/web/incidents');
    const mine = async () => (await sessions()).at(-1)!;
    const signedIn = (await mine()).lastSeenAt.getTime();
    // Within a minute: nothing written.
    clock.advance(30_000);
    assert.equal((await browse(jar, `${env.base}/web/incidents`)).status, 200);
    assert.equal((await mine()).lastSeenAt.getTime(), signedIn, 'not written within the minute');
    // 59 minutes on: still in, and its last use moves on.
    clock.advance(59 * 60_000);
    assert.equal((await browse(jar, `${env.base}/web/incidents`)).status, 200);
    assert.ok((await mine()).lastSeenAt.getTime() >= signedIn + 59.5 * 60_000, 'its last use moved on to now');
    // 59 more: still in (idle counts from the last use, not from sign-in).
    clock.advance(59 * 60_000);
    assert.equal((await browse(jar, `${env.base}/web/incidents`)).status, 200);
    // Then an hour and a second unused: gone.
    const before = (await sessions()).length;
    clock.advance(60 * 60_000 + 1000);
    const idle = await browse(jar, `${env.base}/web/incidents`);
    assert.equal(idle.status, 303);
    assert.match(idle.headers.get('location') ?? '', /^\/web\/signin\?return_to=%2Fweb%2Fincidents/);
    assert.equal((await sessions()).length, before - 1, 'ended in the database');
  });
});

describe('sign in with Slack, the pages alone (no bot)', () => {
  const standin = useOidcStandIn();
  const logged: { level: string; obj: object; msg: string | undefined }[] = [];
  const log =
    (level: string) =>
    (obj: object, msg?: string): void => {
      logged.push({ level, obj, msg });
    };
  const stored: WebSession[] = [];
  let allowed: string | null = WEB_TEAM_ID;
  const web = () =>
    ({
      settings: {
        baseUrl: 'https://incident-bot.example.org',
        clientId: WEB_CLIENT_ID,
        clientSecret: WEB_CLIENT_SECRET,
        sessionSecret: WEB_SESSION_SECRET,
        sessionHours: 12,
        sessionIdleMinutes: 60,
        issuer: standin.url,
        teamId: async () => allowed,
      },
      deps: {
        clock: systemClock,
        chat: { memberStanding: async () => ({ standing: 'member', timeZone: 'Europe/London' }) },
        settings: { defaultTimeZone: 'UTC' },
      },
      sessions: {
        create: async (_hash: string, s: WebSession) => void stored.push(s),
        find: async () => null,
        delete: async () => {},
        deleteExpired: async () => 0,
      },
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      privateChannelsOf: async () => new Set<string>(),
      standing: { check: async () => 'member', remember: () => {}, forget: () => {} },
    }) as unknown as WebDeps;
  const page = (path: string) => AUTH_PAGES.find((p) => p.path === path && p.method === 'GET')!;
  const request = (url: URL, cookies: Map<string, string>): WebRequest => ({
    method: 'GET',
    url,
    params: {},
    form: new URLSearchParams(),
    headers: {},
    viewer: null,
    cookies,
  });
  /** /web/signin, Slack (the stand-in), then the callback: its answer, and Slack's code and state. */
  const roundTrip = async (deps: WebDeps) => {
    const started = await page('/signin').handle(
      request(new URL('https://incident-bot.example.org/web/signin'), new Map()),
      deps,
    );
    assert.equal(started.kind, 'redirect');
    const pending = (started as { cookies: string[] }).cookies[0]!.split(';')[0]!;
    const eq = pending.indexOf('=');
    const fromSlack = new URL(
      (await fetch((started as { location: string }).location, { redirect: 'manual' })).headers.get('location')!,
    );
    const cookies = new Map([[pending.slice(0, eq), decodeURIComponent(pending.slice(eq + 1))]]);
    return { answer: await page('/auth/callback').handle(request(fromSlack, cookies), deps), fromSlack };
  };

  test('while the workspace allowed is unknown, nobody is let in, and the log says why', async () => {
    allowed = null;
    standin.nextUser = alice;
    const { answer } = await roundTrip(web());
    assert.equal(answer.kind, 'html');
    assert.equal((answer as { status: number }).status, 403);
    assert.match((answer as { body: string }).body, /cannot tell which Slack workspace may sign in/);
    assert.equal(stored.length, 0);
    assert.ok(logged.some((l) => l.level === 'error' && /SLACK_TEAM_ID/.test(l.msg ?? '')));
    allowed = WEB_TEAM_ID;
  });

  test('a sign-in is logged with the person and workspace; no code, state or token is ever logged', async () => {
    logged.length = 0;
    standin.nextUser = alice;
    const ok = await roundTrip(web());
    assert.equal(ok.answer.kind, 'redirect');
    assert.deepEqual(
      logged.filter((l) => l.level === 'info'),
      [{ level: 'info', obj: { userId: 'UALICE', teamId: WEB_TEAM_ID }, msg: 'signed in to the web view' }],
    );
    assert.equal(stored.at(-1)?.timeZone, 'Europe/London');
    standin.misbehave = 'wrong-audience';
    const refused = await roundTrip(web());
    assert.equal((refused.answer as { status: number }).status, 403);
    assert.ok(
      logged.some((l) => l.level === 'warn'),
      'the refusal is logged',
    );
    const text = JSON.stringify(logged);
    for (const secret of [
      ok.fromSlack.searchParams.get('code')!,
      ok.fromSlack.searchParams.get('state')!,
      refused.fromSlack.searchParams.get('code')!,
      'eyJ', // any JWT
      'xoxp-',
      alice.email,
      WEB_CLIENT_SECRET,
    ])
      assert.ok(!text.includes(secret), `the log has no ${secret.slice(0, 6)}…`);
  });
});
