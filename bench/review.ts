// Review generation for a long incident: buildReview, its Markdown and its Block Kit message from
// a synthetic record of 5,000 timeline entries (BENCH_REVIEW_ENTRIES) over three days, as the bot
// builds them from the stored record each time the review is posted or redrawn.
import { performance } from 'node:perf_hooks';
import { buildReview, reviewInputSchema } from '../src/domain/review.ts';
import { reviewToMarkdown } from '../src/domain/review-markdown.ts';
import type { TimelineEntry } from '../src/domain/timeline.ts';
import { reviewMessage } from '../src/slack/views/review-message.ts';
import { anIncident } from '../test/support/fixtures.ts';

const STATUSES = ['DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING'] as const;
const PEOPLE = ['UALICE', 'UBOB', 'UCAROL', 'UDAVE', 'UERIN'];

/** A SEV1 that ran three days: notes, pinned messages, status moves, role and severity changes. */
export function syntheticRecord(count: number) {
  const start = Date.parse('2026-11-24T14:05:00Z');
  const span = 3 * 24 * 3600_000;
  const incident = anIncident({
    severity: 'SEV1',
    status: 'CLOSED',
    clinicalImpact: true,
    roles: { COMMANDER: 'UBOB', SCRIBE: 'UCAROL', COMMS: 'UDAVE' },
    affectedService: 'ehr',
    description: 'Clinicians cannot log in to the EHR from the wards.',
  });
  const entries: TimelineEntry[] = [];
  const add = (i: number, kind: string, text: string, extra: Partial<TimelineEntry> = {}) =>
    entries.push({
      id: `e${String(i).padStart(6, '0')}`,
      incidentId: incident.id,
      occurredAt: new Date(start + Math.floor((i / count) * span)),
      kind,
      actorId: PEOPLE[i % PEOPLE.length]!,
      text,
      data: {},
      sourceTs: null,
      permalink: null,
      editedAt: null,
      deletedAt: null,
      ...extra,
    });
  add(0, 'declared', 'Declared as SEV2: EHR login failing', { data: { severity: 'SEV2', via: 'command' } });
  let status: string = 'DECLARED';
  for (let i = 1; i < count - 2; i++) {
    if (i % 250 === 0) {
      const to = STATUSES[(STATUSES.indexOf(status as never) + 1) % STATUSES.length]!;
      add(i, 'status_changed', `Status: ${to.toLowerCase()} (update ${i})`, { data: { from: status, to } });
      status = to;
    } else if (i % 997 === 0) {
      add(i, 'severity_changed', `Severity changed: more wards affected (${i})`, {
        data: { from: 'SEV2', to: 'SEV1', reason: 'more wards' },
      });
    } else if (i % 401 === 0) {
      add(i, 'role_assigned', `Scribe: <@UERIN>`, { data: { role: 'SCRIBE', userId: 'UERIN' } });
    } else if (i % 7 === 0) {
      const ts = `${Math.floor(start / 1000) + i}.000100`;
      add(
        i,
        'pinned_message',
        `Pinned: dashboard for ward ${i % 40} | login errors ${i}% *spike* <https://grafana.example/d/${i}|graph>`,
        {
          sourceTs: ts,
          permalink: `https://healthtech.slack.com/archives/C42/p${ts.replace('.', '')}`,
          ...(i % 21 === 0 ? { editedAt: new Date(start + i * 1000) } : {}),
        },
      );
    } else {
      add(
        i,
        'note',
        `Note ${i}: checked auth pods on node ${i % 12}; restarted the token cache & watched for 5 minutes`,
      );
    }
  }
  add(count - 2, 'status_changed', 'Resolved: config rolled back', { data: { from: status, to: 'RESOLVED' } });
  add(count - 1, 'status_changed', 'Closed', { data: { from: 'RESOLVED', to: 'CLOSED' } });
  const input = reviewInputSchema.parse({
    impact: {
      usersAffected: '~300 clinicians',
      clinicalImpact: 'Two clinics used paper notes for 2h',
      dataImpact: 'None',
    },
    detection: { how: 'staff-report', note: 'Ward 7 called the service desk' },
    contributingFactors: [
      { factor: 'change-deploy', detail: 'Config change to auth timeouts' },
      { factor: 'observability-gap', detail: 'No alert on login failure rate' },
    ],
    otherFactors: 'Change made late on a Friday',
    wentWell: 'Quick rollback',
    wasHard: 'Finding who owned the auth config',
    actionItems: Array.from({ length: 20 }, (_, i) => ({
      text: `Action ${i + 1}: alert on login failure rate over ${i + 1}%`,
      ownerId: PEOPLE[i % PEOPLE.length],
      due: '2026-12-15',
      category: 'observability',
      priority: 'high',
      ref: `ACT-${i + 1}`,
      status: i % 3 ? 'open' : 'done',
    })),
  });
  return { incident, entries, input };
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Rows of [measure, p50, max] in ms. */
export function benchReview(
  opts: { entries?: number; runs?: number } = {},
): { measure: string; p50: number; max: number }[] {
  const count = opts.entries ?? Number(process.env.BENCH_REVIEW_ENTRIES ?? 5000);
  const runs = opts.runs ?? Number(process.env.BENCH_REVIEW_RUNS ?? 15);
  const { incident, entries, input } = syntheticRecord(count);
  const times = { build: [] as number[], markdown: [] as number[], blocks: [] as number[], total: [] as number[] };
  let size = 0;
  for (let run = -3; run < runs; run++) {
    const t0 = performance.now();
    const review = buildReview(incident, entries, input, { timeZone: 'Europe/London' });
    const t1 = performance.now();
    const md = reviewToMarkdown(review);
    const t2 = performance.now();
    const msg = reviewMessage(review);
    const t3 = performance.now();
    if (review.timeline.length !== count || !md.includes('Note 1:')) throw new Error('the review lost entries');
    size = md.length + JSON.stringify(msg.blocks).length;
    if (run < 0) continue; // warm-up
    times.build.push(t1 - t0);
    times.markdown.push(t2 - t1);
    times.blocks.push(t3 - t2);
    times.total.push(t3 - t0);
  }
  const row = (measure: string, v: number[]) => ({ measure, p50: pct(v, 50), max: Math.max(...v) });
  void size;
  return [
    row(`review of ${count} entries: buildReview (n=${runs})`, times.build),
    row(`review of ${count} entries: Markdown`, times.markdown),
    row(`review of ${count} entries: Block Kit message`, times.blocks),
    row(`review of ${count} entries: all three`, times.total),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('| measure | p50 | max |\n| --- | --- | --- |');
  for (const r of benchReview()) console.log(`| ${r.measure} | ${r.p50.toFixed(1)} ms | ${r.max.toFixed(1)} ms |`);
}
