import { z } from 'zod';
import { html } from '../html.ts';
import type { MemberStanding } from '../../ports/chat-platform.ts';
import type { Standing, WebDeps, WebPage, WebResult } from '../context.ts';
import { clearSignInCookie, failureOf, finishSignIn, SignInUnavailable, startSignIn } from '../oidc.ts';
import { optionalParam, parseQuery } from '../query.ts';
import { endSession, SESSION_COOKIE, startSession } from '../session.ts';
import { layout } from '../views/layout.ts';

/** A page of the sign-in (no one is signed in yet): a heading, what happened, and a link to try again. */
function signInPage(opts: {
  status: number;
  title: string;
  message: string;
  returnTo?: string;
  cookies?: string[];
}): WebResult {
  const again = `/web/signin${opts.returnTo ? `?return_to=${encodeURIComponent(opts.returnTo)}` : ''}`;
  return {
    kind: 'html',
    status: opts.status,
    ...(opts.cookies ? { cookies: opts.cookies } : {}),
    body: layout({
      title: opts.title,
      viewer: null,
      body: html`<h1>${opts.title}</h1>
        <p class="problem">${opts.message}</p>
        <p><a href=${again}>Sign in with Slack</a></p>`,
    }),
  };
}

const unreachable = (returnTo?: string, cookies?: string[]) =>
  signInPage({
    status: 503,
    title: 'Slack sign-in cannot be reached',
    message:
      'Sign in with Slack cannot be reached right now, so nobody can sign in. Try again in a moment; if it goes on, tell the team that runs the bot.',
    ...(returnTo ? { returnTo } : {}),
    ...(cookies ? { cookies } : {}),
  });

/** A zone the runtime knows, else the team's. */
function usableZone(web: WebDeps, tz: string | null): string {
  const fallback = web.deps.settings.defaultTimeZone;
  if (!tz) return fallback;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return tz;
  } catch {
    return fallback;
  }
}

/** Why someone who is not a full member of the workspace is not let in. */
const NOT_A_MEMBER: Record<Exclude<Standing, 'member'>, string> = {
  guest:
    'Guests of the Slack workspace cannot use the web view: in Slack you see only the channels you were invited to, and the web view would show more. Ask the incident team in Slack instead.',
  deactivated: 'Your Slack account is deactivated, so you cannot sign in.',
  bot: 'A bot cannot sign in to the web view.',
  unknown: 'Slack does not know your account in this workspace, so you cannot sign in.',
};

/**
 * Sign in with Slack (straight to Slack's consent page and back to the callback), sign-out (a form
 * with the CSRF token: the session ends in the database and the cookie is cleared) and the page
 * after it.
 */
export const AUTH_PAGES: WebPage[] = [
  {
    path: '/signin',
    method: 'GET',
    public: true,
    handle: async (req, web) => {
      const q = parseQuery(req.url, { return_to: optionalParam(z.string().max(2000)) });
      try {
        const { location, cookie } = await startSignIn(web, q.return_to);
        return { kind: 'redirect', location, cookies: [cookie] };
      } catch (err) {
        if (!(err instanceof SignInUnavailable)) throw err;
        web.logger.warn(failureOf(err.cause), 'sign in with Slack: discovery failed (tried again at the next sign-in)');
        return unreachable(q.return_to);
      }
    },
  },
  {
    path: '/auth/callback',
    method: 'GET',
    public: true,
    handle: async (req, web) => {
      const outcome = await finishSignIn(web, req.url, req.cookies);
      // A sign-in started in this browser ends the session it had, whatever its outcome (on a shared
      // workstation, someone refused must not be left in the last person's session); an answer that
      // matches no sign-in started here (bad-state: perhaps a link someone sent) changes nothing.
      const endHere = async () => (req.cookies.has(SESSION_COOKIE) ? [await endSession(web, req.cookies)] : []);
      const cleared =
        outcome.kind === 'bad-state' || outcome.kind === 'signed-in'
          ? [clearSignInCookie()]
          : [clearSignInCookie(), ...(await endHere())];
      switch (outcome.kind) {
        case 'signed-in': {
          const { userId, teamId, name } = outcome.who;
          // Only a full, active member: a guest sees only some channels in Slack, and the web view
          // shows every public incident. Slack not answering lets nobody in.
          let asked: MemberStanding;
          try {
            asked = await web.deps.chat.memberStanding(userId);
          } catch (err) {
            web.logger.warn(
              { err, userId, teamId },
              "sign in with Slack: could not ask Slack for the person's standing",
            );
            return signInPage({
              status: 503,
              title: 'Could not check with Slack',
              message:
                'The bot could not check your Slack account with Slack, so you are not signed in. Try again in a moment; if it goes on, tell the team that runs the bot.',
              returnTo: outcome.returnTo,
              cookies: [...cleared, ...(await endHere())],
            });
          }
          if (asked.standing !== 'member') {
            web.logger.warn(
              { userId, teamId, standing: asked.standing },
              'sign in with Slack: refused someone who is not a full member of the workspace',
            );
            return signInPage({
              status: 403,
              title: 'Not signed in',
              message: NOT_A_MEMBER[asked.standing],
              cookies: [...cleared, ...(await endHere())],
            });
          }
          web.standing.remember(userId, asked.standing);
          const timeZone = usableZone(web, asked.timeZone);
          // A session this browser still had (signing in again, or as someone else) ends here.
          await endSession(web, req.cookies);
          const { cookie } = await startSession(web, { userId, teamId, name, timeZone }, web.deps.clock.now());
          web.logger.info({ userId, teamId }, 'signed in to the web view');
          return { kind: 'redirect', status: 303, location: outcome.returnTo, cookies: [cookie, ...cleared] };
        }
        case 'cancelled':
          return signInPage({
            status: 200,
            title: 'Sign-in cancelled',
            message: 'You cancelled signing in with Slack, so you are not signed in.',
            returnTo: outcome.returnTo,
            cookies: cleared,
          });
        case 'bad-state':
          return signInPage({
            status: 400,
            title: 'Sign-in not recognised',
            message:
              'This answer from Slack does not match a sign-in started here in the last ten minutes (perhaps it was started in another tab, or took too long). Start again.',
            cookies: cleared,
          });
        case 'failed':
          return signInPage({
            status: 400,
            title: 'Sign-in did not complete',
            message: `Slack did not complete the sign-in (${outcome.reason}). Start again.`,
            returnTo: outcome.returnTo,
            cookies: cleared,
          });
        case 'refused':
          return signInPage({
            status: 403,
            title: 'Not signed in',
            message: outcome.message,
            returnTo: outcome.returnTo,
            cookies: cleared,
          });
        case 'unavailable':
          return unreachable(outcome.returnTo, cleared);
      }
    },
  },
  {
    path: '/signout',
    method: 'POST',
    handle: async (req, web) => ({
      kind: 'redirect',
      location: '/web/signed-out',
      cookies: [await endSession(web, req.cookies)],
    }),
  },
  {
    path: '/access-ended',
    method: 'GET',
    public: true,
    handle: async () => ({
      kind: 'html',
      status: 403,
      body: layout({
        title: 'Access ended',
        viewer: null,
        body: html`<h1>Access ended</h1>
          <p class="problem">
            Your access to the incident bot's web view has ended: Slack says your account is no longer a full
            member of the workspace (deactivated, or now a guest). If that is a mistake, ask your Slack admins.
          </p>`,
      }),
    }),
  },
  {
    path: '/signed-out',
    method: 'GET',
    public: true,
    handle: async () => ({
      kind: 'html',
      body: layout({
        title: 'Signed out',
        viewer: null,
        body: html`<h1>Signed out</h1>
          <p>You are signed out of the incident bot's web view.</p>
          <p><a href="/web/signin">Sign in with Slack</a></p>`,
      }),
    }),
  },
];
