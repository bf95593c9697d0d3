import { z } from 'zod';
import { ACTION_FILTERS, parsePeriod, TRACKER_FILTERS, type BacklogCursor } from '../../domain/action-items.ts';
import { GUARDRAIL_PERIOD_DAYS } from '../../domain/command.ts';
import { ACTION_PRIORITIES } from '../../domain/review.ts';
import { isCalendarDay } from '../../domain/time.ts';
import { showOldestOpenItems } from '../../services/insights/show-oldest-open-items.ts';
import { showActionItems } from '../../services/review/show-action-items.ts';
import { showGuardrailReport } from '../../services/review/show-guardrail-report.ts';
import type { WebPage } from '../context.ts';
import { optionalParam, parseQuery } from '../query.ts';
import { readerOf } from '../reader.ts';
import { backlogBody, cursorText } from '../views/backlog.ts';
import { layout } from '../views/layout.ts';
import { zoneOf } from './insights.ts';

/** Items per page of the listing. */
export const BACKLOG_PAGE_SIZE = 25;
/** The open items that have waited longest, listed apart. */
export const OLDEST_SHOWN = 5;

const period = optionalParam(
  z.string().superRefine((v, ctx) => {
    try {
      parsePeriod(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a number of days or weeks, e.g. 90d or 12w' });
    }
  }),
);

/** Where the next page starts: `status~due~priority~number`, as cursorText writes it. */
const cursor = optionalParam(
  z
    .string()
    .max(60)
    .transform((v, ctx): BacklogCursor => {
      const [status, due, priority, number, ...rest] = v.split('~');
      // Digits only, at most nine: an action item number the database's integer can hold.
      const n = /^\d{1,9}$/.test(number ?? '') ? Number(number) : 0;
      if (
        rest.length ||
        (status !== 'open' && status !== 'done') ||
        (due !== '' && !isCalendarDay(due ?? '')) ||
        !(ACTION_PRIORITIES as readonly string[]).includes(priority ?? '') ||
        n < 1
      ) {
        ctx.addIssue({ code: 'custom', message: 'is not a page of this listing' });
        return z.NEVER;
      }
      return { status, due: due || null, priority: priority as BacklogCursor['priority'], number: n };
    }),
);

/** The guardrail backlog by team, category and where items live, and the items a page at a time. */
export const BACKLOG_PAGES: WebPage[] = [
  {
    path: '/backlog',
    method: 'GET',
    handle: async (req, web) => {
      const q = parseQuery(req.url, {
        period,
        show: optionalParam(z.enum(ACTION_FILTERS)),
        in: optionalParam(z.enum(TRACKER_FILTERS)),
        after: cursor,
      });
      const viewer = req.viewer!;
      // Membership of private channels from the viewer's cached list: no Slack question per channel.
      const reader = readerOf(web, viewer);
      const show = q.show ?? 'team';
      const periodText = q.period ?? `${GUARDRAIL_PERIOD_DAYS}d`;
      const [report, list, oldest] = await Promise.all([
        showGuardrailReport(web.deps, { periodDays: parsePeriod(q.period, GUARDRAIL_PERIOD_DAYS) }),
        // The same listing as `/incident actions`: private incidents' texts hidden from non-members.
        showActionItems(web.deps, {
          userId: viewer.userId,
          reader,
          filter: show,
          tracker: q.in,
          limit: BACKLOG_PAGE_SIZE,
          after: q.after ?? null,
        }),
        showOldestOpenItems(web.deps, { reader, limit: OLDEST_SHOWN }),
      ]);
      const next = new URLSearchParams({ show, period: periodText, ...(q.in ? { in: q.in } : {}) });
      if (list.next) next.set('after', cursorText(list.next));
      return {
        kind: 'html',
        body: layout({
          title: 'Backlog',
          viewer,
          section: 'backlog',
          body: await backlogBody(report, list, oldest, {
            show,
            where: q.in,
            period: periodText,
            nextHref: list.next ? `/web/backlog?${next}` : null,
            now: web.deps.clock.now(),
            timeZone: zoneOf(req, web),
          }),
        }),
      };
    },
  },
];
