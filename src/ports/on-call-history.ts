import type { OnCallPerson, OnCallStretch, PageEvent } from '../domain/on-call-load.ts';
// What the on-call load report needs from the on-call system (PagerDuty in production): who was
// on call when, and who was paged when, over a period.

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
