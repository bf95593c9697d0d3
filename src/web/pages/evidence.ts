import { z } from 'zod';
import { actingAs } from '../../audit-context.ts';
import { lastQuarter, periodOf } from '../../domain/evidence-pack.ts';
import { exportEvidencePack, recentEvidenceDownloads } from '../../services/audit/export-evidence-pack.ts';
import { WebError, type WebPage } from '../context.ts';
import { readerOf } from '../reader.ts';
import { evidencePage } from '../views/evidence.ts';

/** The longest period one pack covers (a year and a day: a leap year's audit period). */
const MAX_DAYS = 367;

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date (YYYY-MM-DD)' })
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      message: 'is not a real date',
    },
  );
const periodForm = z
  .object({ from: date, to: date })
  .refine((p) => p.from <= p.to, { message: '"from" must not be after "to"', path: ['to'] })
  .refine((p) => (Date.parse(p.to) - Date.parse(p.from)) / 86_400_000 < MAX_DAYS, {
    message: `the period must be at most ${MAX_DAYS} days`,
    path: ['to'],
  });

/** GET /web/evidence: the form and the recent downloads; POST: the ZIP (the router has checked the CSRF token). */
export const EVIDENCE_PAGES: WebPage[] = [
  {
    path: '/evidence',
    method: 'GET',
    handle: async (req, web) => {
      const viewer = req.viewer!;
      const { fromDate, toDate } = lastQuarter(web.deps.clock.now(), viewer.timeZone);
      const downloads = await recentEvidenceDownloads(web.deps);
      return { kind: 'html', body: evidencePage({ viewer, fromDate, toDate, downloads }) };
    },
  },
  {
    path: '/evidence',
    method: 'POST',
    // Seconds of reading and checking chains: one per person, two at once in all.
    limit: { global: 2, perUser: 1 },
    handle: async (req, web) => {
      const viewer = req.viewer!;
      const parsed = periodForm.safeParse({ from: req.form.get('from') ?? '', to: req.form.get('to') ?? '' });
      if (!parsed.success)
        throw new WebError(
          400,
          'The period is not right:',
          parsed.error.issues.map((i) => `"${String(i.path[0] ?? '')}" ${i.message}.`),
        );
      const period = periodOf(parsed.data.from, parsed.data.to, viewer.timeZone);
      const pack = await actingAs({ actor: viewer.userId, via: 'web /evidence' }, () =>
        exportEvidencePack(web.deps, { reader: readerOf(web, viewer), name: viewer.name, period }),
      );
      return { kind: 'file', contentType: 'application/zip', filename: pack.filename, body: pack.zip };
    },
  },
];
