import { z } from 'zod';
import { maySeeIndividualOnCallFigures } from '../../domain/access.ts';
import { LOAD_PERIOD_DAYS } from '../../domain/command.ts';
import { parsePeriod } from '../../domain/action-items.ts';
import { AppError } from '../../domain/errors.ts';
import { showOnCallLoad } from '../../services/on-call/show-on-call-load.ts';
import { html } from '../html.ts';
import { WebError, type WebPage } from '../context.ts';
import { optionalParam, parseQuery } from '../query.ts';
import { layout } from '../views/layout.ts';
import { loadForm, onCallBody } from '../views/on-call.ts';

/** A period as `/incident load` takes it: `30d`, `12w` (1 to the longest period days). */
const period = optionalParam(
  z.string().superRefine((v, ctx) => {
    try {
      parsePeriod(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a number of days or weeks, e.g. 30d or 12w' });
    }
  }),
);

/** The on-call load (PagerDuty's history, cached): the `/incident load` report as a page. */
export const ON_CALL_PAGES: WebPage[] = [
  {
    path: '/on-call',
    method: 'GET',
    handle: async (req, web) => {
      const q = parseQuery(req.url, { period, scope: optionalParam(z.string().trim().max(200)) });
      const viewer = req.viewer!;
      const periodText = q.period ?? `${LOAD_PERIOD_DAYS}d`;
      const scope = q.scope ?? '';
      const page = (body: ReturnType<typeof html>, status = 200) => ({
        kind: 'html' as const,
        status,
        body: layout({ title: 'On-call load', viewer, section: 'on-call', body }),
      });
      let load: Awaited<ReturnType<typeof showOnCallLoad>>;
      try {
        load = await showOnCallLoad(web.deps, {
          query: scope || null,
          periodDays: parsePeriod(q.period, LOAD_PERIOD_DAYS),
        });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        // Not connected, an unknown schedule, PagerDuty down with nothing cached: said plainly.
        if (err.code === 'not_found') throw new WebError(404, err.userMessage);
        return page(
          html`<h1>On-call load</h1>
            ${loadForm(periodText, scope)}
            <p class="problem">${err.userMessage.replace(/`/g, '')}</p>`,
          err.code === 'not_configured' ? 200 : 503,
        );
      }
      // With leads named, everyone else sees their own row and the totals (as `/incident load`).
      const everyone = maySeeIndividualOnCallFigures(web.deps.settings, viewer.userId);
      const own = new Set(
        [...load.slackUsers].filter(([, slack]) => slack === viewer.userId).map(([person]) => person),
      );
      const rows = everyone ? load.report.responders : load.report.responders.filter((r) => own.has(r.personId));
      return page(await onCallBody(load, { rows, everyone, period: periodText, scope }));
    },
  },
];
