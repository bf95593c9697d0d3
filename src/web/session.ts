// Web sessions: a random id in a signed, HttpOnly, Secure, SameSite=Lax cookie; the database keeps
// its SHA-256 with who it is, their time zone, the CSRF token and when it ends.
import { createHash, randomBytes } from 'node:crypto';
import { setCookie, verifySigned, signValue } from './cookies.ts';
import type { Viewer, WebDeps } from './context.ts';

export const SESSION_COOKIE = 'incident_bot_session';

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

/** A new session for the person an id_token named; the Set-Cookie header that carries it. */
export async function startSession(
  web: Pick<WebDeps, 'sessions' | 'settings'>,
  who: { userId: string; teamId: string; name: string; timeZone: string },
  now: Date,
): Promise<{ cookie: string; viewer: Viewer }> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + web.settings.sessionHours * 3600_000);
  const csrfToken = randomBytes(32).toString('base64url');
  await web.sessions.create(hashOf(id), { ...who, csrfToken, createdAt: now, expiresAt });
  return {
    cookie: setCookie(SESSION_COOKIE, signValue(web.settings.sessionSecret, id), {
      path: '/web',
      maxAge: web.settings.sessionHours * 3600,
      secure: true,
    }),
    viewer: { ...who, csrfToken, expiresAt },
  };
}

/** Who the session cookie names, or null (none, not signed by us, ended or expired). */
export async function viewerOf(
  web: Pick<WebDeps, 'sessions' | 'settings'>,
  cookies: ReadonlyMap<string, string>,
  now: Date,
): Promise<Viewer | null> {
  const id = verifySigned(web.settings.sessionSecret, cookies.get(SESSION_COOKIE));
  if (!id) return null;
  const s = await web.sessions.find(hashOf(id), now);
  return s
    ? {
        userId: s.userId,
        teamId: s.teamId,
        name: s.name,
        timeZone: s.timeZone,
        csrfToken: s.csrfToken,
        expiresAt: s.expiresAt,
      }
    : null;
}

/** Ends the cookie's session (sign-out); the Set-Cookie header that clears the cookie. */
export async function endSession(
  web: Pick<WebDeps, 'sessions' | 'settings'>,
  cookies: ReadonlyMap<string, string>,
): Promise<string> {
  const id = verifySigned(web.settings.sessionSecret, cookies.get(SESSION_COOKIE));
  if (id) await web.sessions.delete(hashOf(id));
  return clearSessionCookie();
}

/** The Set-Cookie header that removes the session cookie (an unknown or expired one). */
export function clearSessionCookie(): string {
  return setCookie(SESSION_COOKIE, '', { path: '/web', maxAge: 0, secure: true });
}

/**
 * Where to go back to after signing in: a path of the web view (with its query), never another
 * site (`//evil`, `/\evil`, `https://…`); anything else is the register.
 */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value || value.length > 2000) return '/web/incidents';
  if (!/^\/web(\/|\?|$)/.test(value) || /[\\\s]/.test(value) || value.startsWith('//')) return '/web/incidents';
  try {
    const u = new URL(value, 'http://x');
    if (u.origin !== 'http://x' || !u.pathname.startsWith('/web')) return '/web/incidents';
    return `${u.pathname}${u.search}`;
  } catch {
    return '/web/incidents';
  }
}
