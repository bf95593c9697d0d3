/** A signed-in person of the web view, as stored (the id itself is only ever in their cookie). */
export interface WebSession {
  /** The Slack member (U…) and workspace (T…) their id_token named. */
  userId: string;
  teamId: string;
  /** Their name as Slack gave it at sign-in. */
  name: string;
  /** Their Slack time zone at sign-in (IANA). */
  timeZone: string;
  /** What their forms must carry (CSRF). */
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
  /** When a page was last asked with it (moved on at most once a minute): the idle timeout counts from it. */
  lastSeenAt: Date;
}

/** The web view's sessions, found by the SHA-256 of the id the cookie carries. */
export interface WebSessionStore {
  create(idHash: string, session: WebSession): Promise<void>;
  /** The session, or null when there is none or it expired by `now`. */
  find(idHash: string, now: Date): Promise<WebSession | null>;
  /** Ends a session (sign-out); nothing when there is none. */
  delete(idHash: string): Promise<void>;
  /** Ends every session of the person (Slack says they are no longer a full member); how many. */
  deleteForUser(userId: string): Promise<number>;
  /** The session was used at `at` (the idle timeout starts again from it). */
  touch(idHash: string, at: Date): Promise<void>;
  /** Deletes the sessions expired by `now`; how many. */
  deleteExpired(now: Date): Promise<number>;
}
