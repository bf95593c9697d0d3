import { createHash } from 'node:crypto';
import { actionRef } from './action-items.ts';
import { ROLE_LABELS, incidentRef, type RoleName } from './incident.ts';
import { csvText } from './load-csv.ts';
import { cell } from './review-markdown.ts';
import { severityText } from './severity.ts';
import type { Severity } from './severity.ts';
import { addDays, dayIn, dayPeriod, formatInZone, type DayPeriod, type PeriodRules } from './time.ts';

/**
 * The evidence pack of a period, for auditors (SOC 2 CC7.3–CC7.5, ISO 27001 A.5.24–A.5.28, NHS
 * DSPT): the incident register of the incidents declared in it, each review, role holders and
 * approvals, action item closure, and the verification of the audit trail (with the signed
 * checkpoints when there are any), as CSV, JSON and Markdown files with a manifest of their
 * SHA-256. Pure and deterministic: the same input gives the same files, byte for byte.
 *
 * A private incident the viewer may not read is in the register as its reference only ("private:
 * details withheld"), so the numbering stays complete, and nowhere else.
 */
export const EVIDENCE_PACK_FORMAT = 'incident-evidence-pack/1';

/** The period asked for: incidents declared from `since` (inclusive) to `until` (exclusive); time.ts's one period. */
export type EvidencePeriod = DayPeriod;

/** The longest period one pack covers (a year and a day: a leap year's audit period). */
export const EVIDENCE_MAX_DAYS = 367;

/**
 * The evidence form's period rules (time.ts periodFrom): the last full quarter by default, a `to`
 * alone starts a quarter's longest length (92 days) before it, EVIDENCE_MAX_DAYS at most.
 */
export const EVIDENCE_PERIOD: PeriodRules = {
  defaultPeriod: (today) => lastQuarterBefore(today),
  defaultDays: 92,
  maxDays: EVIDENCE_MAX_DAYS,
};

export interface PackRole {
  role: RoleName;
  userId: string;
  assignedBy: string;
  assignedAt: Date;
}

export interface PackIncident {
  id: string;
  number: number;
  title: string;
  severity: Severity;
  status: string;
  affectedService: string | null;
  clinicalImpact: boolean;
  nearMiss: boolean;
  /** An exercise (drill): in the pack, marked, and listed in its README as an exercise record. */
  drill: boolean;
  dataBreach: boolean;
  isPrivate: boolean;
  declaredBy: string;
  declaredAt: Date;
  resolvedAt: Date | null;
  closedAt: Date | null;
  breachAwareAt: Date | null;
  breachNotifiedAt: Date | null;
  breachNotifiedBy: string | null;
  roles: readonly PackRole[];
}

/** An incident of the register: in full, or (private, the viewer not a member) its number only. */
export type RegisterEntry = { withheld: false; incident: PackIncident } | { withheld: true; number: number };

/** A decision someone recorded on an incident: a role given, a regulator notified, an override approved. */
export interface PackApproval {
  incidentNumber: number;
  record: string;
  what: string;
  by: string | null;
  at: Date;
  detail: string;
}

export interface PackActionItem {
  number: number;
  incidentNumber: number;
  text: string;
  ownerId: string | null;
  team: string | null;
  /** YYYY-MM-DD or null. */
  due: string | null;
  priority: string;
  status: 'open' | 'done';
  createdAt: Date;
  completedAt: Date | null;
  completedBy: string | null;
  trackerUrl: string | null;
}

export interface PackReview {
  incidentNumber: number;
  input: Record<string, unknown>;
  updatedBy: string | null;
  updatedAt: Date;
}

/** One chain's verification: intact, or what is wrong (a withheld incident's problems are not shown). */
export interface PackChainResult {
  entries: number;
  intact: boolean;
  problems: readonly string[];
}

export interface PackCheckpoint {
  name: string;
  text: string;
}

export interface EvidencePackInput {
  period: EvidencePeriod;
  generatedAt: Date;
  generatedBy: { userId: string; name: string };
  /** Every incident declared in the period, in number order. */
  register: readonly RegisterEntry[];
  reviews: readonly PackReview[];
  approvals: readonly PackApproval[];
  actionItems: readonly PackActionItem[];
  verification: {
    /** Per incident in the register, by number. */
    incidents: ReadonlyMap<number, PackChainResult>;
    /** The evidence downloads' own chain, as it was before this download was recorded. */
    downloads: PackChainResult;
  };
  checkpoints: {
    /** AUDIT_CHECKPOINT_DIR set. */
    configured: boolean;
    /** The signed checkpoint files taken in the period, as written. */
    files: readonly PackCheckpoint[];
    /** Why some or all could not be included (unreadable folder, a file that would need redacting), if so. */
    notes: readonly string[];
  };
}

export interface PackFile {
  path: string;
  content: string;
}

export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
}

export const WITHHELD_TEXT = 'private: details withheld';

const iso = (d: Date | null) => (d ? d.toISOString() : '');
const ref = (number: number) => incidentRef({ number });
const act = (number: number) => actionRef({ number });
const csvRow = (cells: readonly string[]) => cells.map(csvText).join(',');
const csv = (header: readonly string[], rows: readonly (readonly string[])[]) =>
  `${[csvRow(header), ...rows.map(csvRow)].join('\r\n')}\r\n`;
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const yes = (b: boolean) => (b ? 'yes' : 'no');

/**
 * Whether an item was closed on time: `yes`/`no` for a done item with a due date (completed on or
 * before it, in `timeZone`), `overdue` for an open one past it on `today`, else `open` or `no due date`.
 */
export function closedOnTime(
  item: Pick<PackActionItem, 'due' | 'status' | 'completedAt'>,
  today: string,
  timeZone: string,
) {
  if (!item.due) return item.status === 'done' ? 'no due date' : 'open';
  if (item.status === 'done' && item.completedAt) return dayIn(item.completedAt, timeZone) <= item.due ? 'yes' : 'no';
  return today > item.due ? 'overdue' : 'open';
}

/** Number ranges between the first and last of `numbers` that are not among them. */
export function numberGaps(numbers: readonly number[]): [number, number][] {
  const sorted = [...numbers].sort((a, b) => a - b);
  const gaps: [number, number][] = [];
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k]! > sorted[k - 1]! + 1) gaps.push([sorted[k - 1]! + 1, sorted[k]! - 1]);
  }
  return gaps;
}

const rangeText = ([a, b]: [number, number]) => (a === b ? ref(a) : `${ref(a)}–${ref(b)}`);

/** The register's numbering in a line: complete, or the numbers between that are not in it. */
function numberingText(numbers: readonly number[]): string {
  if (!numbers.length) return 'No incident was declared in the period.';
  const first = Math.min(...numbers);
  const last = Math.max(...numbers);
  const gaps = numberGaps(numbers);
  return gaps.length
    ? `${ref(first)} to ${ref(last)}, ${numbers.length} incidents; not in this register: ${gaps.map(rangeText).join(', ')} (declared outside the period, or erased: audit-verification says which).`
    : `${ref(first)} to ${ref(last)}, ${numbers.length} incident${numbers.length === 1 ? '' : 's'}, numbered without gaps.`;
}

const REGISTER_HEADER = [
  'Incident',
  'Title',
  'Severity',
  'Status',
  'Service',
  'Private',
  'Clinical impact',
  'Near miss',
  'Exercise (drill)',
  'Data breach',
  'Declared by',
  'Declared at',
  'Resolved at',
  'Closed at',
  'Commander',
] as const;

function registerFiles(input: EvidencePackInput): PackFile[] {
  const numbers = input.register.map((e) => (e.withheld ? e.number : e.incident.number));
  const rows = input.register.map((e) => {
    if (e.withheld) return [ref(e.number), WITHHELD_TEXT, '', '', '', 'yes', '', '', '', '', '', '', '', '', ''];
    const i = e.incident;
    return [
      ref(i.number),
      i.title,
      severityText(i.severity),
      i.status.toLowerCase(),
      i.affectedService ?? '',
      yes(i.isPrivate),
      yes(i.clinicalImpact),
      yes(i.nearMiss),
      yes(i.drill),
      yes(i.dataBreach),
      i.declaredBy,
      iso(i.declaredAt),
      iso(i.resolvedAt),
      iso(i.closedAt),
      i.roles.find((r) => r.role === 'COMMANDER')?.userId ?? '',
    ];
  });
  const tz = input.period.timeZone;
  const t = (d: Date | null) => (d ? formatInZone(d, tz) : '—');
  const md = [
    `# Incident register, ${input.period.fromDate} to ${input.period.toDate} (${tz})`,
    '',
    numberingText(numbers),
    '',
    '| Incident | Title | Severity | Status | Service | Clinical impact | Data breach | Declared | Resolved | Closed |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...input.register.map((e) => {
      if (e.withheld) return `| ${ref(e.number)} | ${WITHHELD_TEXT} | | | | | | | | |`;
      const i = e.incident;
      return `| ${ref(i.number)} | ${i.drill ? '**Exercise:** ' : ''}${cell(i.title)}${i.isPrivate ? ' (private)' : ''} | ${severityText(i.severity)} | ${i.status.toLowerCase()} | ${cell(i.affectedService)} | ${yes(i.clinicalImpact)} | ${yes(i.dataBreach)} | ${t(i.declaredAt)} by ${cell(i.declaredBy)} | ${t(i.resolvedAt)} | ${t(i.closedAt)} |`;
    }),
  ];
  const first = numbers.length ? Math.min(...numbers) : null;
  const last = numbers.length ? Math.max(...numbers) : null;
  return [
    { path: 'register.csv', content: csv(REGISTER_HEADER, rows) },
    {
      path: 'register.json',
      content: json({
        format: EVIDENCE_PACK_FORMAT,
        period: periodJson(input.period),
        numbering: { first, last, count: numbers.length, notInRegister: numberGaps(numbers) },
        incidents: input.register.map((e) =>
          e.withheld
            ? { ref: ref(e.number), number: e.number, withheld: true, note: WITHHELD_TEXT }
            : {
                ref: ref(e.incident.number),
                withheld: false,
                ...e.incident,
                roles: e.incident.roles.map((r) => ({ ...r })),
              },
        ),
      }),
    },
    { path: 'register.md', content: `${md.join('\n')}\n` },
  ];
}

const periodJson = (p: EvidencePeriod) => ({
  from: p.since.toISOString(),
  to: p.until.toISOString(),
  fromDate: p.fromDate,
  toDate: p.toDate,
  timeZone: p.timeZone,
});

/** A review input's value as Markdown lines (nested objects and lists as bullets). */
function valueLines(v: unknown, depth: number): string[] {
  const pad = '  '.repeat(depth);
  if (v === null || v === undefined) return [`${pad}—`];
  if (typeof v !== 'object') return [`${pad}${String(v)}`];
  if (Array.isArray(v)) {
    return v.flatMap((x) =>
      x !== null && typeof x === 'object' ? [`${pad}-`, ...valueLines(x, depth + 1)] : [`${pad}- ${String(x)}`],
    );
  }
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) =>
    x !== null && typeof x === 'object'
      ? [`${pad}- ${k}:`, ...valueLines(x, depth + 1)]
      : [`${pad}- ${k}: ${String(x)}`],
  );
}

function reviewFiles(input: EvidencePackInput): PackFile[] {
  const tz = input.period.timeZone;
  const byNumber = new Map(
    input.register.flatMap((e) => (e.withheld ? [] : [[e.incident.number, e.incident] as const])),
  );
  return [...input.reviews]
    .sort((a, b) => a.incidentNumber - b.incidentNumber)
    .flatMap((r) => {
      const i = byNumber.get(r.incidentNumber);
      const title = i ? ` ${i.title}` : '';
      const md = [
        `# Review of ${ref(r.incidentNumber)}${title}`,
        '',
        `Last saved ${formatInZone(r.updatedAt, tz)} (${r.updatedAt.toISOString()}) by ${r.updatedBy ?? '—'}.`,
        '',
        ...Object.entries(r.input).flatMap(([k, v]) =>
          typeof v === 'string' ? [`## ${k}`, '', v, ''] : [`## ${k}`, '', ...valueLines(v, 0), ''],
        ),
      ];
      return [
        { path: `reviews/${ref(r.incidentNumber)}.md`, content: `${md.join('\n').trimEnd()}\n` },
        {
          path: `reviews/${ref(r.incidentNumber)}.json`,
          content: json({
            format: EVIDENCE_PACK_FORMAT,
            incident: ref(r.incidentNumber),
            updatedBy: r.updatedBy,
            updatedAt: r.updatedAt.toISOString(),
            input: r.input,
          }),
        },
      ];
    });
}

/** Role holders (who gave them the role, and when) and the other recorded decisions, in one sheet. */
function approvalRows(input: EvidencePackInput): PackApproval[] {
  const holders: PackApproval[] = input.register.flatMap((e) =>
    e.withheld
      ? []
      : e.incident.roles.map((r) => ({
          incidentNumber: e.incident.number,
          record: 'role holder',
          what: ROLE_LABELS[r.role] ?? r.role,
          by: r.assignedBy,
          at: r.assignedAt,
          detail: r.userId,
        })),
  );
  return [...holders, ...input.approvals].sort(
    (a, b) =>
      a.incidentNumber - b.incidentNumber ||
      a.at.getTime() - b.at.getTime() ||
      a.record.localeCompare(b.record) ||
      a.what.localeCompare(b.what) ||
      a.detail.localeCompare(b.detail),
  );
}

function actionItemFiles(input: EvidencePackInput): PackFile[] {
  const tz = input.period.timeZone;
  const today = dayIn(input.generatedAt, tz);
  const items = [...input.actionItems].sort((a, b) => a.number - b.number);
  const header = [
    'Action item',
    'Incident',
    'Text',
    'Owner',
    'Team',
    'Priority',
    'Status',
    'Due',
    'Created at',
    'Completed at',
    'Completed by',
    'On time',
    'Tracker',
  ];
  const rows = items.map((a) => [
    act(a.number),
    ref(a.incidentNumber),
    a.text,
    a.ownerId ?? '',
    a.team ?? '',
    a.priority,
    a.status,
    a.due ?? '',
    iso(a.createdAt),
    iso(a.completedAt),
    a.completedBy ?? '',
    closedOnTime(a, today, tz),
    a.trackerUrl ?? '',
  ]);
  const done = items.filter((a) => a.status === 'done').length;
  const late = items.filter((a) => ['no', 'overdue'].includes(closedOnTime(a, today, tz))).length;
  return [
    { path: 'action-items.csv', content: csv(header, rows) },
    {
      path: 'action-items.json',
      content: json({
        format: EVIDENCE_PACK_FORMAT,
        asOf: today,
        counts: { total: items.length, done, open: items.length - done, lateOrOverdue: late },
        items: items.map((a) => ({
          ref: act(a.number),
          incident: ref(a.incidentNumber),
          ...a,
          onTime: closedOnTime(a, today, tz),
        })),
      }),
    },
  ];
}

function verificationSummary(input: EvidencePackInput) {
  const results = [...input.verification.incidents.entries()].sort(([a], [b]) => a - b);
  const broken = results.filter(([, r]) => !r.intact).map(([n]) => ref(n));
  const downloads = input.verification.downloads;
  return { results, broken, downloads, intact: broken.length === 0 && downloads.intact };
}

function verificationFiles(input: EvidencePackInput): PackFile[] {
  const withheld = new Set(input.register.flatMap((e) => (e.withheld ? [e.number] : [])));
  const { results, broken, downloads, intact } = verificationSummary(input);
  const cp = input.checkpoints;
  const md = [
    '# Audit trail verification',
    '',
    `Each incident's hash chain (every change to its records, written by the database in the same transaction) and its records against the state the trail implies, checked when the pack was made (${input.generatedAt.toISOString()}).`,
    '',
    intact
      ? `**Intact**: ${results.length} incident chain${results.length === 1 ? '' : 's'} and the evidence downloads' chain verified.`
      : `**NOT intact**: ${[...broken, ...(downloads.intact ? [] : ['evidence downloads'])].join(', ')}.`,
    '',
    '| Chain | Entries | Result |',
    '| --- | --- | --- |',
    ...results.map(
      ([n, r]) =>
        `| ${ref(n)} | ${withheld.has(n) ? '—' : r.entries} | ${r.intact ? 'intact' : `NOT intact${withheld.has(n) ? ` (${WITHHELD_TEXT})` : `: ${cell(r.problems.join('; '))}`}`} |`,
    ),
    `| evidence downloads | ${downloads.entries} | ${downloads.intact ? 'intact' : `NOT intact: ${cell(downloads.problems.join('; '))}`} |`,
    '',
    '## Signed checkpoints',
    '',
    !cp.configured
      ? 'No checkpoint folder is configured (AUDIT_CHECKPOINT_DIR): checkpoints, if any are kept, are in the audit Slack channel.'
      : cp.files.length
        ? `${cp.files.length} checkpoint file${cp.files.length === 1 ? '' : 's'} of the period, as signed, in checkpoints/: \`npm run audit:verify -- --checkpoint <file>\` proves the trail still extends each.`
        : 'No checkpoint was taken in the period.',
    ...cp.notes.map((n) => `- ${n}`),
  ];
  return [
    {
      path: 'audit-verification.json',
      content: json({
        format: EVIDENCE_PACK_FORMAT,
        checkedAt: input.generatedAt.toISOString(),
        intact,
        incidents: results.map(([n, r]) =>
          withheld.has(n)
            ? { ref: ref(n), withheld: true, intact: r.intact }
            : { ref: ref(n), entries: r.entries, intact: r.intact, problems: [...r.problems] },
        ),
        evidenceDownloads: { entries: downloads.entries, intact: downloads.intact, problems: [...downloads.problems] },
        checkpoints: {
          configured: cp.configured,
          files: cp.files.map((f) => `checkpoints/${f.name}`),
          notes: [...cp.notes],
        },
      }),
    },
    { path: 'audit-verification.md', content: `${md.join('\n')}\n` },
    ...[...cp.files]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((f) => ({ path: `checkpoints/${f.name}`, content: f.text })),
  ];
}

function readme(input: EvidencePackInput, files: readonly PackFile[]): PackFile {
  const p = input.period;
  const numbers = input.register.map((e) => (e.withheld ? e.number : e.incident.number));
  const withheld = input.register.filter((e) => e.withheld).length;
  const { intact, broken, downloads } = verificationSummary(input);
  const md = [
    `# Evidence pack: incidents declared ${p.fromDate} to ${p.toDate} (${p.timeZone})`,
    '',
    `Generated ${formatInZone(input.generatedAt, p.timeZone)} (${input.generatedAt.toISOString()}) for ${input.generatedBy.name} (${input.generatedBy.userId}). Format \`${EVIDENCE_PACK_FORMAT}\`.`,
    '',
    `Period: from ${p.since.toISOString()} (inclusive) to ${p.until.toISOString()} (exclusive). ${numberingText(numbers)}`,
    ...(withheld
      ? [
          '',
          `${withheld} private incident${withheld === 1 ? ' is' : 's are'} in the register as ${withheld === 1 ? 'its' : 'their'} reference only ("${WITHHELD_TEXT}"): the person who generated the pack is not a member of ${withheld === 1 ? 'its' : 'their'} channel${withheld === 1 ? '' : 's'}.`,
        ]
      : []),
    '',
    ...exercisesText(input),
    intact
      ? '**Audit trail: intact** (every incident of the register, and the evidence downloads).'
      : `**Audit trail: NOT intact**: ${[...broken, ...(downloads.intact ? [] : ['evidence downloads'])].join(', ')} (see audit-verification.md).`,
    '',
    "Text that could be personal or patient data is redacted (as in every export); identifiers and times are kept. Times are UTC (ISO 8601) in CSV and JSON, and shown in the period's zone in Markdown. CSV cells that a spreadsheet would run as a formula start with `'`.",
    '',
    '## Files',
    '',
    '| File | What |',
    '| --- | --- |',
    ...files.map((f) => `| ${f.path} | ${describe(f.path)} |`),
    '| manifest.json | The SHA-256 and size of every other file |',
  ];
  return { path: 'README.md', content: `${md.join('\n')}\n` };
}

/**
 * The exercises (drills) of the period, for auditors who ask for incident-response exercise records:
 * each is in the register (marked in its "Exercise (drill)" column) with its review and timeline.
 */
function exercisesText(input: EvidencePackInput): string[] {
  const drills = input.register.flatMap((e) => (!e.withheld && e.incident.drill ? [e.incident] : []));
  const tz = input.period.timeZone;
  return [
    '## Exercises (drills)',
    '',
    ...(drills.length
      ? [
          `${drills.length} exercise${drills.length === 1 ? '' : 's'} in this period, run through the full incident flow and marked "Exercise (drill)" in the register (left out of metrics and on-call load):`,
          '',
          ...drills.map(
            (i) =>
              `- ${ref(i.number)}: ${cell(i.title)} (${severityText(i.severity)}, declared ${formatInZone(i.declaredAt, tz)}, ${i.status.toLowerCase()})`,
          ),
        ]
      : ['No exercises (drills) were declared in this period.']),
    '',
  ];
}

function describe(path: string): string {
  if (path.startsWith('register.')) return 'The incident register of the period (SOC 2 CC7.3; ISO 27001 A.5.24–A.5.26)';
  if (path.startsWith('reviews/')) return 'The post-incident review as saved (CC7.4, CC7.5; A.5.27)';
  if (path === 'roles-and-approvals.csv')
    return 'Role holders and who assigned them; regulator notifications, clinical impact, freeze overrides';
  if (path.startsWith('action-items.')) return 'Action items: status, due, completed, on time, tracker (CC7.5; A.5.27)';
  if (path.startsWith('audit-verification.'))
    return 'The audit trail checked: each chain intact, or its problems (A.5.28)';
  if (path.startsWith('checkpoints/')) return 'A signed audit checkpoint of the period, as written';
  return '';
}

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Every file of the pack, README.md first and manifest.json last; deterministic. */
export function buildEvidencePack(input: EvidencePackInput): PackFile[] {
  const approvals = approvalRows(input);
  const body: PackFile[] = [
    ...registerFiles(input),
    ...reviewFiles(input),
    {
      path: 'roles-and-approvals.csv',
      content: csv(
        ['Incident', 'Record', 'What', 'By', 'At', 'Detail'],
        approvals.map((a) => [ref(a.incidentNumber), a.record, a.what, a.by ?? '', iso(a.at), a.detail]),
      ),
    },
    ...actionItemFiles(input),
    ...verificationFiles(input),
  ];
  const files = [readme(input, body), ...body];
  const manifest: ManifestEntry[] = files.map((f) => ({
    path: f.path,
    sha256: sha256Hex(f.content),
    bytes: Buffer.byteLength(f.content, 'utf8'),
  }));
  return [
    ...files,
    {
      path: 'manifest.json',
      content: json({
        format: EVIDENCE_PACK_FORMAT,
        generatedAt: input.generatedAt.toISOString(),
        generatedBy: input.generatedBy.userId,
        period: periodJson(input.period),
        files: manifest,
      }),
    },
  ];
}

/** A download recorded in the audit trail (the evidence_download table). */
export interface NewEvidenceDownload {
  downloadedBy: string;
  downloadedAt: Date;
  period: EvidencePeriod;
  incidents: number;
  withheld: number;
  zipSha256: string;
  files: readonly ManifestEntry[];
}

export interface EvidenceDownload extends NewEvidenceDownload {
  id: string;
}

/** The default period: the last full calendar quarter before `now`, in `timeZone`. */
export function lastQuarter(now: Date, timeZone: string): { fromDate: string; toDate: string } {
  return lastQuarterBefore(dayIn(now, timeZone));
}

/** The last full calendar quarter before the one `today` is in. */
function lastQuarterBefore(today: string): { fromDate: string; toDate: string } {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const q = Math.floor((m - 1) / 3); // this quarter, 0–3
  const year = q === 0 ? y - 1 : y;
  const startMonth = q === 0 ? 9 : (q - 1) * 3; // 0-based month
  const pad = (n: number) => String(n).padStart(2, '0');
  const fromDate = `${year}-${pad(startMonth + 1)}-01`;
  const nextQuarter = startMonth === 9 ? `${year + 1}-01-01` : `${year}-${pad(startMonth + 4)}-01`;
  return { fromDate, toDate: addDays(nextQuarter, -1) };
}

/** The period of two dates in `timeZone` (both inclusive): from the first's midnight to the midnight after the second. */
export const periodOf = dayPeriod;

/** The ZIP's name: `evidence-2026-07-01-to-2026-09-30.zip`. */
export function packFilename(p: Pick<EvidencePeriod, 'fromDate' | 'toDate'>): string {
  return `evidence-${p.fromDate}-to-${p.toDate}.zip`;
}
