import { peopleFor } from '../people.ts';
import { z } from 'zod';
import { actingAs } from '../../audit-context.ts';
import { EVIDENCE_PERIOD, lastQuarter } from '../../domain/evidence-pack.ts';
import { calendarDayParam, periodFrom } from '../../domain/time.ts';
import { exportEvidencePack, recentEvidenceDownloads } from '../../services/audit/export-evidence-pack.ts';
import { WebError, type WebPage } from '../context.ts';
import { optionalParam, PARAMETERS_PROBLEM, parseParams, parseQuery } from '../query.ts';
import { readerOf } from '../reader.ts';
import { evidencePage } from '../views/evidence.ts';

/** The form's fields: the period as every page reads one (time.ts periodFrom), and the CSRF token the router checked. */
const PERIOD_FORM = { csrf: z.string(), from: optionalParam(calendarDayParam), to: optionalParam(calendarDayParam) };

/** GET /web/evidence: the form and the recent downloads; POST: the ZIP (the router has checked the CSRF token). */
export const EVIDENCE_PAGES: WebPage[] = [
  {
    path: '/evidence',
    method: 'GET',
    handle: async (req, web) => {
      parseQuery(req.url, {});
      const viewer = req.viewer!;
      const { fromDate, toDate } = lastQuarter(web.deps.clock.now(), viewer.timeZone);
      const downloads = await recentEvidenceDownloads(web.deps);
      const people = await peopleFor(
        web,
        downloads.map((d) => d.downloadedBy),
      );
      return { kind: 'html', body: evidencePage({ viewer, fromDate, toDate, downloads, people }) };
    },
  },
  {
    path: '/evidence',
    method: 'POST',
    // Seconds of reading and checking chains: one per person, two at once in all.
    limit: { global: 2, perUser: 1 },
    handle: async (req, web) => {
      const viewer = req.viewer!;
      const fields = parseParams(req.form, PERIOD_FORM);
      const period = periodFrom(fields, EVIDENCE_PERIOD, { now: web.deps.clock.now(), timeZone: viewer.timeZone });
      if ('problem' in period) throw new WebError(400, PARAMETERS_PROBLEM, [period.problem]);
      const pack = await actingAs({ actor: viewer.userId, via: 'web /evidence' }, () =>
        exportEvidencePack(web.deps, { reader: readerOf(web, viewer), name: viewer.name, period }),
      );
      return { kind: 'file', contentType: 'application/zip', filename: pack.filename, body: pack.zip };
    },
  },
];
