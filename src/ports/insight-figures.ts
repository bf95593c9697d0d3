import type { InsightFigureSet, InsightPeriod } from '../domain/insights.ts';

/**
 * The figures of the web view's insights (incidents per week, durations by severity, service and
 * month, review and action item timeliness), counted by the database over a period: bounded by the
 * period's groups, not by the incidents. What domain/insights.ts insightFiguresOf computes from rows.
 */
export interface InsightFigures {
  /**
   * The period's figures at `now` (reviews pending or late, actions due by then) as a reader may
   * see them: a private incident, and its action items, count only when its channel is one of
   * `privateChannels` (services/access.ts listablePrivateChannels), as in the register.
   */
  figures(period: InsightPeriod, now: Date, privateChannels: readonly string[]): Promise<InsightFigureSet>;
}
