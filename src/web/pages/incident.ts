import { peopleFor } from '../people.ts';
import { z } from 'zod';
import { incidentRef } from '../../domain/incident.ts';
import type { TimelineCursor } from '../../ports/incident-store.ts';
import { checkIncidentAudit, showIncident, type TimelineAt } from '../../services/records/show-incident.ts';
import { WebError, type WebPage } from '../context.ts';
import { optionalParam, PARAMETERS_PROBLEM, parseQuery } from '../query.ts';
import { readerOf } from '../reader.ts';
import { auditView, incidentView } from '../views/incident.ts';
import { layout } from '../views/layout.ts';

/** INC-42, inc-42 or 42: the number; null for anything else. */
export function refNumber(ref: string): number | null {
  const m = /^(?:INC-)?([1-9]\d{0,8})$/i.exec(ref.trim());
  return m ? Number(m[1]) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An instant as toISOString writes it, in the years 1970–9999 (the database's and Date's common ground). */
const INSTANT = /^(19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A timeline cursor from the address (views/incident.ts cursorParam): `<instant>_<uuid>`, nothing else. */
const cursor = z.string().transform((s, ctx): TimelineCursor => {
  const at = s.lastIndexOf('_');
  const text = s.slice(0, at);
  const when = new Date(text);
  const id = s.slice(at + 1);
  // Read back to the same text: 2026-02-30T… is not an instant, whatever Date makes of it.
  if (at < 1 || !INSTANT.test(text) || Number.isNaN(when.getTime()) || when.toISOString() !== text || !UUID.test(id)) {
    ctx.addIssue({ code: 'custom', message: 'is not a place on the timeline' });
    return z.NEVER;
  }
  return { occurredAt: when, id };
});

/** The incident number the address names; a 400 page for anything else. */
function numberOf(ref: string | undefined): number {
  const number = refNumber(ref ?? '');
  if (number === null)
    throw new WebError(400, 'That is not an incident reference: write it INC-42 (or 42).', [
      `"${(ref ?? '').slice(0, 40)}" is not one.`,
    ]);
  return number;
}

/** One incident's page (GET /web/incidents/INC-42), and its audit trail checked whole (…/audit). */
export const INCIDENT_PAGES: WebPage[] = [
  {
    path: '/incidents/:ref',
    method: 'GET',
    handle: async (req, web) => {
      const number = numberOf(req.params.ref);
      const q = parseQuery(req.url, { before: optionalParam(cursor), after: optionalParam(cursor) });
      if (q.before && q.after) throw new WebError(400, PARAMETERS_PROBLEM, ['Give "before" or "after", not both.']);
      const at: TimelineAt = q.before ? { before: q.before } : q.after ? { after: q.after } : null;
      const record = await showIncident(web.deps, { reader: readerOf(web, req.viewer!), number, at });
      return {
        kind: 'html',
        body: layout({
          title: `${incidentRef(record.incident)}: ${record.incident.title}`,
          viewer: req.viewer,
          section: 'incidents',
          body: incidentView(
            record,
            req.viewer!.timeZone,
            await peopleFor(web, [
              record.incident.declaredBy,
              ...Object.values(record.incident.roles),
              ...record.timeline.entries.map((e) => e.actorId),
              record.review?.updatedBy,
              ...record.actionItems.map((a) => a.ownerId),
            ]),
          ),
        }),
      };
    },
  },
  {
    path: '/incidents/:ref/audit',
    // A long chain takes a second or two to check: two at once, one per person.
    limit: { global: 2, perUser: 1 },
    method: 'GET',
    handle: async (req, web) => {
      const number = numberOf(req.params.ref);
      parseQuery(req.url, {});
      const checked = await checkIncidentAudit(web.deps, { reader: readerOf(web, req.viewer!), number });
      return {
        kind: 'html',
        body: layout({
          title: `${incidentRef(checked.incident)}: the audit trail`,
          viewer: req.viewer,
          section: 'incidents',
          body: auditView(checked),
        }),
      };
    },
  },
];
