// Sign in with Slack (OpenID Connect) through openid-client: Slack's configuration is discovered on
// the first sign-in and kept (a failed discovery is tried again at the next one, never at start-up:
// Slack being unreachable must not stop the bot); the state, the nonce and where to go back to ride
// in a short-lived signed cookie; the id_token's signature, issuer, audience, expiry and nonce are
// checked by the library, then the workspace by us.
import * as client from 'openid-client';
import { z } from 'zod';
import { setCookie, signValue, verifySigned } from './cookies.ts';
import type { WebDeps, WebSettings } from './context.ts';
import { safeReturnTo } from './session.ts';

/** The cookie that carries a sign-in under way from /web/signin to the callback. */
export const SIGNIN_COOKIE = 'incident_bot_signin';
/** Only the callback reads it. */
const SIGNIN_COOKIE_PATH = '/web/auth';
/** A sign-in must come back from Slack within ten minutes. */
export const SIGNIN_MAX_AGE_S = 600;
export const CALLBACK_PATH = '/web/auth/callback';
/** How long discovery and Slack's token endpoint may take. */
const REQUEST_TIMEOUT_S = 10;

/** What the sign-in cookie holds (signed, so only the bot can have made it). */
const pendingSchema = z.object({
  state: z.string().min(16).max(200),
  nonce: z.string().min(16).max(200),
  returnTo: z.string().max(2000),
  /** When the sign-in started (ms): the cookie's Max-Age is the browser's business; this is ours. */
  at: z.number().int(),
});
type Pending = z.infer<typeof pendingSchema>;

/** The claims of Slack's id_token the bot uses (the library has checked the token itself). */
const slackClaimsSchema = z.object({
  sub: z.string().min(1),
  'https://slack.com/user_id': z.string().regex(/^[UW][A-Z0-9]{2,}$/),
  'https://slack.com/team_id': z.string().regex(/^T[A-Z0-9]{2,}$/),
  name: z.string().max(200).optional(),
});

/** What a callback from Slack comes to. */
export type SignInOutcome =
  | { kind: 'signed-in'; who: { userId: string; teamId: string; name: string }; returnTo: string }
  /** The person chose Cancel at Slack (error=access_denied). */
  | { kind: 'cancelled'; returnTo: string }
  /** No sign-in cookie, a cookie not ours or too old, or a state that does not match it. */
  | { kind: 'bad-state' }
  /** Slack named an error, or refused the code (used already, expired). */
  | { kind: 'failed'; reason: string; returnTo: string }
  /** The answer could not be verified (signature, audience, expiry, nonce…) or named someone not allowed. */
  | { kind: 'refused'; message: string; returnTo: string }
  /** Slack could not be reached. */
  | { kind: 'unavailable'; returnTo: string };

/** Slack (its discovery, token endpoint or keys) cannot be reached. */
export class SignInUnavailable extends Error {
  constructor(cause: unknown) {
    super('Sign in with Slack cannot be reached', { cause });
    this.name = 'SignInUnavailable';
  }
}

/**
 * Slack's token endpoint answers its errors as HTTP 200 `{ ok: false, error }`; OAuth clients expect
 * a 400 `{ error }`. This fetch turns the one into the other, so that a used or expired code is
 * reported as Slack's error rather than as a malformed answer.
 */
const slackFetch: client.CustomFetch = async (url, options) => {
  const res = await fetch(url, options as RequestInit);
  if (options.method !== 'POST' || res.status !== 200) return res;
  if (!(res.headers.get('content-type') ?? '').includes('application/json')) return res;
  const body: unknown = await res
    .clone()
    .json()
    .catch(() => null);
  if (body && typeof body === 'object' && (body as { ok?: unknown }).ok === false) {
    const error = String((body as { error?: unknown }).error ?? 'unknown_error').slice(0, 100);
    return new Response(JSON.stringify({ error }), {
      status: 400,
      headers: { 'content-type': 'application/json' },
    });
  }
  return res;
};

// One configuration per web view (its settings), discovered once. A failure is forgotten so that the
// next sign-in tries again.
const discovered = new WeakMap<WebSettings, Promise<client.Configuration>>();

/** Slack's OpenID Connect configuration for this client: discovered at the first call, then kept. */
export function providerOf(settings: WebSettings): Promise<client.Configuration> {
  let found = discovered.get(settings);
  if (!found) {
    const issuer = new URL(settings.issuer);
    found = client
      .discovery(issuer, settings.clientId, undefined, client.ClientSecretPost(settings.clientSecret), {
        [client.customFetch]: slackFetch,
        timeout: REQUEST_TIMEOUT_S,
        execute: [
          // Check the id_token's signature against Slack's keys too, not only the TLS of the answer.
          client.enableNonRepudiationChecks,
          // http only for a loopback issuer (a stand-in in tests): the configuration allows no other.
          ...(issuer.protocol === 'http:' ? [client.allowInsecureRequests] : []),
        ],
      })
      .catch((err: unknown) => {
        discovered.delete(settings);
        throw new SignInUnavailable(err);
      });
    discovered.set(settings, found);
  }
  return found;
}

// The states of the sign-ins already answered, per web view, each until its ten minutes are over:
// a sign-in cookie is single use, so a replayed one (with any code) is refused before Slack is called.
const answered = new WeakMap<WebSettings, Map<string, number>>();
/** States kept at most (the oldest go first): bounded whatever is sent. */
const ANSWERED_MAX = 10_000;

/** True when this state was answered already; otherwise it is from now on. */
function alreadyAnswered(settings: WebSettings, state: string, startedAt: number, now: number): boolean {
  let seen = answered.get(settings);
  if (!seen) {
    seen = new Map();
    answered.set(settings, seen);
  }
  // Oldest first: drop those whose sign-in is too old to be accepted anyway.
  for (const [s, until] of seen) {
    if (until > now && seen.size < ANSWERED_MAX) break;
    seen.delete(s);
  }
  if (seen.has(state)) return true;
  seen.set(state, startedAt + SIGNIN_MAX_AGE_S * 1000);
  return false;
}

const encodePending = (p: Pending) => Buffer.from(JSON.stringify(p)).toString('base64url');

function decodePending(secret: string, cookie: string | undefined): Pending | null {
  const value = verifySigned(secret, cookie);
  if (!value) return null;
  try {
    const parsed = pendingSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The Set-Cookie header that removes the sign-in cookie. */
export function clearSignInCookie(): string {
  return setCookie(SIGNIN_COOKIE, '', { path: SIGNIN_COOKIE_PATH, maxAge: 0, secure: true });
}

/**
 * Where to send the person to sign in at Slack, and the cookie that remembers the sign-in: a fresh
 * state and nonce, and `returnTo` (a path of the web view only). Throws SignInUnavailable.
 */
export async function startSignIn(
  web: Pick<WebDeps, 'settings' | 'deps'>,
  returnTo: string | null | undefined,
): Promise<{ location: string; cookie: string }> {
  const config = await providerOf(web.settings);
  const teamId = await web.settings.teamId().catch(() => null);
  const pending: Pending = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    returnTo: safeReturnTo(returnTo),
    at: web.deps.clock.now().getTime(),
  };
  const url = client.buildAuthorizationUrl(config, {
    // Who the person is and their name; nothing else (their email is not needed, so not asked).
    scope: 'openid profile',
    redirect_uri: `${web.settings.baseUrl}${CALLBACK_PATH}`,
    state: pending.state,
    nonce: pending.nonce,
    // Slack's hint: straight to the right workspace when the person is in several.
    ...(teamId ? { team: teamId } : {}),
  });
  return {
    location: url.href,
    cookie: setCookie(SIGNIN_COOKIE, signValue(web.settings.sessionSecret, encodePending(pending)), {
      path: SIGNIN_COOKIE_PATH,
      maxAge: SIGNIN_MAX_AGE_S,
      secure: true,
    }),
  };
}

/** The callback's own query: Slack's answer (validated again by the library). */
const callbackQuerySchema = z.object({
  code: z.string().min(1).max(2000).optional(),
  state: z.string().min(1).max(200).optional(),
  error: z.string().min(1).max(100).optional(),
});

const isUnreachable = (err: unknown): boolean =>
  err instanceof SignInUnavailable ||
  (err instanceof TypeError && /fetch failed/i.test(err.message)) ||
  (err instanceof client.ClientError && (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT'));

/** What may be logged of a failure: its kind and message, never the tokens or claims it carries. */
export const failureOf = (err: unknown) =>
  err instanceof Error
    ? { error: err.name, code: (err as { code?: unknown }).code, message: err.message.slice(0, 300) }
    : { error: String(err).slice(0, 300) };

/**
 * Slack's answer at the callback (`url` is the callback's address with its query): the sign-in
 * cookie's state must match, the code is exchanged and the id_token checked, and the person must
 * be a member of the configured workspace.
 */
export async function finishSignIn(
  web: Pick<WebDeps, 'settings' | 'deps' | 'logger'>,
  url: URL,
  cookies: ReadonlyMap<string, string>,
): Promise<SignInOutcome> {
  const pending = decodePending(web.settings.sessionSecret, cookies.get(SIGNIN_COOKIE));
  const query = callbackQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  const now = web.deps.clock.now().getTime();
  if (!pending || !query.success || query.data.state !== pending.state) return { kind: 'bad-state' };
  if (now - pending.at > SIGNIN_MAX_AGE_S * 1000 || now < pending.at - 60_000) return { kind: 'bad-state' };
  if (alreadyAnswered(web.settings, pending.state, pending.at, now)) {
    web.logger.warn({}, 'sign in with Slack: a sign-in answered already was sent again (refused before asking Slack)');
    return { kind: 'bad-state' };
  }
  const { returnTo } = pending;
  if (query.data.error === 'access_denied') return { kind: 'cancelled', returnTo };
  if (query.data.error || !query.data.code) return { kind: 'failed', reason: query.data.error ?? 'no code', returnTo };

  let claims: client.IDToken | undefined;
  try {
    const config = await providerOf(web.settings);
    // The callback's address as Slack was told it (redirect_uri), with Slack's answer.
    const current = new URL(`${web.settings.baseUrl}${CALLBACK_PATH}`);
    current.search = url.search;
    const tokens = await client.authorizationCodeGrant(config, current, {
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
  } catch (err) {
    if (isUnreachable(err)) {
      web.logger.warn(failureOf(err), 'sign in with Slack: Slack could not be reached');
      return { kind: 'unavailable', returnTo };
    }
    if (err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError) {
      web.logger.warn(failureOf(err), 'sign in with Slack: Slack refused the sign-in');
      return { kind: 'failed', reason: err.error, returnTo };
    }
    web.logger.warn(failureOf(err), "sign in with Slack: Slack's answer failed verification");
    return { kind: 'refused', message: "Slack's answer could not be verified, so you are not signed in.", returnTo };
  }

  const parsed = slackClaimsSchema.safeParse(claims);
  if (!parsed.success) {
    web.logger.warn(
      { problems: parsed.error.issues.map((i) => i.path.join('.')) },
      'sign in with Slack: claims missing',
    );
    return { kind: 'refused', message: "Slack's answer did not say who you are, so you are not signed in.", returnTo };
  }
  const userId = parsed.data['https://slack.com/user_id'];
  const teamId = parsed.data['https://slack.com/team_id'];
  const allowed = await web.settings.teamId().catch(() => null);
  if (!allowed) {
    web.logger.error({ userId, teamId }, 'sign in with Slack: the workspace allowed is unknown (set SLACK_TEAM_ID)');
    return {
      kind: 'refused',
      message:
        'The bot cannot tell which Slack workspace may sign in right now, so nobody is let in. Try again in a moment; if it goes on, tell the team that runs the bot (SLACK_TEAM_ID).',
      returnTo,
    };
  }
  if (teamId !== allowed) {
    web.logger.warn({ userId, teamId }, 'sign in with Slack: refused a member of another workspace');
    return {
      kind: 'refused',
      message:
        "You signed in with a Slack workspace this bot does not serve. Sign in with your account in the bot's workspace.",
      returnTo,
    };
  }
  return {
    kind: 'signed-in',
    who: { userId, teamId, name: parsed.data.name?.trim() || userId },
    returnTo,
  };
}
