// The web view's cookies: signed with HMAC-SHA-256 (WEB_SESSION_SECRET), so a cookie the bot did
// not set is refused before anything is looked up.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** `value.signature` (base64url): what the bot sets. */
export function signValue(secret: string, value: string): string {
  return `${value}.${createHmac('sha256', secret).update(value).digest('base64url')}`;
}

/** The value of a cookie `signValue` made with this secret; null for anything else. */
export function verifySigned(secret: string, signed: string | undefined): string | null {
  if (!signed) return null;
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return null;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', secret).update(value).digest();
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
}

/** The request's cookies by name (the first of each name; malformed pairs skipped). */
export function readCookies(req: IncomingMessage): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (found.has(name)) continue;
    try {
      found.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // not percent-encoded properly: not one of ours
    }
  }
  return found;
}

export interface CookieOptions {
  path: string;
  /** Seconds; 0 deletes the cookie; none: a browser-session cookie (gone when the browser closes). */
  maxAge?: number;
  /** Sent only over https (and to localhost, which browsers treat as secure). */
  secure: boolean;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Secure unless told otherwise. */
export function setCookie(name: string, value: string, o: CookieOptions): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${o.path}`,
    ...(o.maxAge === undefined ? [] : [`Max-Age=${o.maxAge}`]),
    'HttpOnly',
    'SameSite=Lax',
    ...(o.secure ? ['Secure'] : []),
  ].join('; ');
}
