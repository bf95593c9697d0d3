import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../logger.ts';
import type { MemberStanding } from '../ports/chat-platform.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { WebSessionStore } from '../ports/web-sessions.ts';

/** Who is signed in, as their session says. */
export interface Viewer {
  userId: string;
  teamId: string;
  name: string;
  /** Their Slack time zone (IANA): every time on a page is shown in it. */
  timeZone: string;
  /** What a form they post must carry. */
  csrfToken: string;
  /** When their session ends. */
  expiresAt: Date;
}

/** The web view's settings (WEB_*, SLACK_CLIENT_*, SLACK_OIDC_ISSUER). */
export interface WebSettings {
  /** The public address, without a trailing slash: pages are under `${baseUrl}/web`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  sessionSecret: string;
  sessionHours: number;
  /** A session unused this many minutes ends (WEB_SESSION_IDLE_MINUTES). */
  sessionIdleMinutes: number;
  /** Sign in with Slack's issuer (https://slack.com). */
  issuer: string;
  /** The workspace whose members may sign in: SLACK_TEAM_ID, else the bot token's own (auth.test); null while unknown. */
  teamId: () => Promise<string | null>;
}

/** What the web view's pages need. */
export interface WebDeps {
  deps: ServiceDeps;
  sessions: WebSessionStore;
  settings: WebSettings;
  logger: Logger;
  /**
   * The private channels `userId` is a member of (asked of Slack, cached briefly): which private
   * incidents they may see on a page. A failure to ask counts as none (fails closed).
   */
  privateChannelsOf(userId: string): Promise<ReadonlySet<string>>;
  /** Whether a signed-in person is still a full member of the workspace (asked of Slack now and then). */
  standing: StandingCheck;
  /** The members' names by id (asked of Slack, kept an hour; unknown ones left out). */
  namesOf(userIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** A person's standing in the workspace (only a `member` may use the web view). */
export type Standing = MemberStanding['standing'];

/** Slack's answer to "is this person still a full member?", kept a while per person. */
export interface StandingCheck {
  /** Their standing: the answer kept, or Slack's now; when Slack cannot be asked, the last known one. */
  check(userId: string): Promise<Standing>;
  /** Slack's answer at sign-in: the next question is due from now. */
  remember(userId: string, standing: Standing): void;
  /** Their sessions ended: nothing kept about them. */
  forget(userId: string): void;
}

export type WebMethod = 'GET' | 'POST';

/** One request as a page sees it. */
export interface WebRequest {
  method: WebMethod;
  /** The full URL as asked (its origin is WEB_BASE_URL's). */
  url: URL;
  /** The path's named parts (`/incidents/:ref` gives `ref`). */
  params: Readonly<Record<string, string>>;
  /** A POST's form fields (application/x-www-form-urlencoded); empty for a GET. */
  form: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Who is signed in; null only on the public pages (sign-in, its callback, the stylesheet). */
  viewer: Viewer | null;
  /** The request's cookies by name. */
  cookies: ReadonlyMap<string, string>;
}

/** What a page answers. */
export type WebResult =
  | { kind: 'html'; status?: number; body: string; cookies?: string[]; headers?: Record<string, string> }
  | {
      kind: 'file';
      status?: number;
      contentType: string;
      /** Offered as a download under this name (Content-Disposition: attachment). */
      filename?: string;
      body: string | Uint8Array;
      /** Cache for this many seconds (the stylesheet); default no-store. */
      maxAge?: number;
    }
  | { kind: 'redirect'; location: string; status?: 302 | 303; cookies?: string[] };

/** A page: a path under /web (path-to-regexp syntax), a method, and its handler. */
export interface WebPage {
  path: string;
  method: WebMethod;
  /** Served without a session (sign-in and its callback, the stylesheet). */
  public?: boolean;
  /**
   * A page that costs seconds (the evidence pack, a long audit check): at most `global` at once in
   * this process and `perUser` per person; beyond, a 503 page asking to try again shortly.
   */
  limit?: { global: number; perUser: number };
  handle(req: WebRequest, web: WebDeps): Promise<WebResult>;
}

/** A refusal a page shows as its own page with this status (400 for bad query parameters, 403, 404). */
export class WebError extends Error {
  readonly status: number;
  /** More lines under the message (each bad parameter, say). */
  readonly details: readonly string[];

  constructor(status: number, message: string, details: readonly string[] = []) {
    super(message);
    this.status = status;
    this.details = details;
    this.name = 'WebError';
  }
}
