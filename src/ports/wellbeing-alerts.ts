// The wellbeing messages sent to the on-call leads, claimed once across replicas (several bot
// processes share one database): whoever inserts a claim sends it; nobody else does.

export type WellbeingAlertKind = 'bad-night' | 'shift-incidents' | 'on-call-share' | 'fairness' | 'weekly-check';

export interface WellbeingAlertKey {
  kind: WellbeingAlertKind;
  /** The PagerDuty person, or the scope key ('all') for fairness and the weekly check. */
  subject: string;
  /** The night (the local date it began on) or the week (its Monday), YYYY-MM-DD. */
  period: string;
  /** The lead's Slack member ID ('' for the weekly check itself). */
  recipient: string;
}

export interface WellbeingAlerts {
  /**
   * Claims the keys nobody holds, and those whose claim was abandoned (never settled, claimed before
   * `staleBefore`: the process died while sending), at `at`, in one statement; returns the keys this
   * caller won (none of those another replica holds or has settled).
   */
  claim(keys: readonly WellbeingAlertKey[], at: Date, staleBefore: Date): Promise<WellbeingAlertKey[]>;
  /** Gives claims made at `claimedAt` back (Slack failed for a moment): the next sweep may claim them again. */
  release(keys: readonly WellbeingAlertKey[], claimedAt: Date): Promise<void>;
  /** Settles claims made at `claimedAt`: sent (failure null), or given up with Slack's error. */
  settle(keys: readonly WellbeingAlertKey[], claimedAt: Date, at: Date, failure: string | null): Promise<void>;
}
