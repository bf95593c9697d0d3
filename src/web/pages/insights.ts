import { INSIGHTS_PERIOD } from '../../domain/insights.ts';
import { calendarDayParam, isValidTimeZone, periodFrom } from '../../domain/time.ts';
import { showInsights } from '../../services/insights/show-insights.ts';
import { WebError, type WebDeps, type WebPage, type WebRequest } from '../context.ts';
import { optionalParam, PARAMETERS_PROBLEM, parseQuery } from '../query.ts';
import { readerOf } from '../reader.ts';
import { insightsBody } from '../views/insights.ts';
import { layout } from '../views/layout.ts';

const date = optionalParam(calendarDayParam);

/** The viewer's zone, else the team's. */
export const zoneOf = (req: WebRequest, web: WebDeps) =>
  req.viewer && isValidTimeZone(req.viewer.timeZone) ? req.viewer.timeZone : web.deps.settings.defaultTimeZone;

/** The period asked for (`from`, `to`: calendar dates in the viewer's zone; time.ts periodFrom), else the last 12 weeks. */
export function periodOf(req: WebRequest, web: WebDeps) {
  const q = parseQuery(req.url, { from: date, to: date });
  const period = periodFrom(q, INSIGHTS_PERIOD, { now: web.deps.clock.now(), timeZone: zoneOf(req, web) });
  if ('problem' in period) throw new WebError(400, PARAMETERS_PROBLEM, [period.problem]);
  return period;
}
/** The insights: incidents per week, durations, review and action item timeliness, factors. */
export const INSIGHTS_PAGES: WebPage[] = [
  {
    path: '/insights',
    method: 'GET',
    handle: async (req, web) => {
      const period = periodOf(req, web);
      const insights = await showInsights(web.deps, { reader: readerOf(web, req.viewer!), period });
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
