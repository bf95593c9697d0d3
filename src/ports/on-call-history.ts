// What the on-call load report needs from the on-call system (PagerDuty in production): who was
// on call when, and who was paged when, over a period.

/** A person in the on-call system. */
export interface OnCallPerson {
  id: string;
  name: string;
  email: string | null;
  /** The person's own IANA time zone in the on-call system; null when unknown. */
  timeZone: string | null;
}

/** One stretch of being on call (an escalation level of a schedule or policy), clipped to the window asked for. */
export interface OnCallStretch {
  userId: string;
  scheduleId: string | null;
  escalationPolicyId: string | null;
  level: number;
  start: Date;
  end: Date;
}

/** A person paged: an incident assigned or escalated to them. */
export interface PageEvent {
  /** The log entry's id: with userId, unique. */
  id: string;
  incidentId: string;
  userId: string;
  at: Date;
  kind: 'assigned' | 'escalated';
  serviceId: string | null;
}

/** Whose load: everyone, one schedule's rotation, or a team's schedules. */
export type LoadScope =
  | { kind: 'all'; id: null; name: string }
  | { kind: 'schedule'; id: string; name: string }
  | { kind: 'team'; id: string; name: string };

export interface OnCallWindow {
  people: OnCallPerson[];
  stretches: OnCallStretch[];
  pages: PageEvent[];
}

/** History of the on-call system. Failures throw OnCallUnavailable (see on-call-provider.ts). */
export interface OnCallHistory {
  /** A schedule or a team by name (case-insensitive; exact name first, schedules before teams); null when none matches. */
  findScope(query: string): Promise<LoadScope | null>;
  /**
   * Who was on call in `scope` during [since, until), who was paged then (everyone, whatever the
   * scope: the caller keeps the pages of the scope's people), and those people. Fetched in windows
   * the API allows and paginated to the end.
   */
  fetchWindow(scope: LoadScope, since: Date, until: Date): Promise<OnCallWindow>;
}
