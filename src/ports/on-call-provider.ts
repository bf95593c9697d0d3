/** One person on call at one escalation level. */
export interface OnCallShift {
  level: number;
  userId: string;
  name: string;
  email: string | null;
  scheduleName: string | null;
  escalationPolicyId: string;
  escalationPolicyName: string;
  /** null: for ever (no schedule, a direct escalation target). */
  start: Date | null;
  end: Date | null;
}

export interface OnCallAnswer {
  /** What the query matched: a service or a schedule, by its own name; 'all' without a query. */
  target: { kind: 'service' | 'schedule' | 'all'; id: string | null; name: string };
  /** On call now, lowest escalation level first. */
  now: OnCallShift[];
  /** Per level, the next person to take over after the current shift (within a week). */
  next: OnCallShift[];
}

/** The on-call system is down, slow or answered nonsense: callers carry on without it. */
export class OnCallUnavailable extends Error {
  override readonly cause?: unknown;

  constructor(message: string, cause?: unknown) {
    super(message);
    this.cause = cause;
    this.name = 'OnCallUnavailable';
  }
}

/** Who or what to page. */
export type PageTarget = { kind: 'service'; query: string } | { kind: 'user'; email: string };

/** An incident opened in the on-call system by paging. */
export interface PagedIncident {
  id: string;
  number: number | null;
  title: string;
  htmlUrl: string | null;
  status: string;
}

/** What the incident core needs from the on-call system (PagerDuty in production). */
export interface OnCallProvider {
  /**
   * Pages a service (matched by name like onCall) or a person (by email), opening an incident there
   * on behalf of `fromEmail` (a user of the on-call system). `dedupKey` makes a retried page open
   * nothing new. Null when no such service or person exists there.
   */
  page(
    target: PageTarget,
    input: { title: string; details: string; fromEmail: string; dedupKey: string },
  ): Promise<PagedIncident | null>;
  /** Resolves an incident opened by paging (already resolved is fine). */
  resolvePaged(id: string, fromEmail: string): Promise<void>;
  /**
   * Who is on call now and next for a service or schedule (matched by name, case-insensitively),
   * or across everything when `query` is null. Null when nothing matches the query.
   * `exactService`: only a service of exactly that name (case-insensitive), through its escalation
   * policy (who to invite for an incident's affected service). Throws OnCallUnavailable when the
   * on-call system cannot be reached or answers badly.
   * `serviceId`: the service with exactly this id (the catalog's `pagerduty.com/service-id`), whatever
   * `query` says (it is then only the name shown when the id is unknown there).
   */
  onCall(
    query: string | null,
    now: Date,
    opts?: { exactService?: boolean; serviceId?: string },
  ): Promise<OnCallAnswer | null>;
}
