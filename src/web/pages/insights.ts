import { z } from 'zod';
import { calendarDate, addDays } from '../../domain/action-items.ts';
import { DEFAULT_WEEKS, defaultInsightPeriod, insightPeriod, periodProblem } from '../../domain/insights.ts';
import { isCalendarDate } from '../../domain/review.ts';
import { isValidTimeZone } from '../../domain/time.ts';
import { showInsights } from '../../services/insights/show-insights.ts';
import { WebError, type WebDeps, type WebPage, type WebRequest } from '../context.ts';
import { optionalParam, parseQuery } from '../query.ts';
import { insightsBody } from '../views/insights.ts';
import { layout } from '../views/layout.ts';

const date = optionalParam(z.string().refine(isCalendarDate, { error: 'must be a date as YYYY-MM-DD' }));

/** The viewer's zone, else the team's. */
export const zoneOf = (req: WebRequest, web: WebDeps) =>
  req.viewer && isValidTimeZone(req.viewer.timeZone) ? req.viewer.timeZone : web.deps.settings.defaultTimeZone;

/** The period asked for (`from`, `to`: calendar dates in the viewer's zone), else the last 12 weeks. */
export function periodOf(req: WebRequest, web: WebDeps) {
  const q = parseQuery(req.url, { from: date, to: date });
  const timeZone = zoneOf(req, web);
  const now = web.deps.clock.now();
  if (!q.from && !q.to) return defaultInsightPeriod(now, timeZone);
  const to = q.to ?? calendarDate(now, timeZone);
  const from = q.from ?? addDays(to, -7 * DEFAULT_WEEKS + 1);
  const problem = periodProblem(from, to);
  if (problem) throw new WebError(400, 'Some of the parameters in the address are not right:', [problem]);
  return insightPeriod(from, to, timeZone);
}

/** The insights: incidents per week, durations, review and action item timeliness, factors. */
export const INSIGHTS_PAGES: WebPage[] = [
  {
    path: '/insights',
    method: 'GET',
    handle: async (req, web) => {
      const period = periodOf(req, web);
      const insights = await showInsights(web.deps, { period });
      return {
        kind: 'html',
        body: layout({
          title: 'Insights',
          viewer: req.viewer,
          section: 'insights',
          body: await insightsBody(insights),
        }),
      };
    },
  },
];
