import type { ClinicalSafetySection } from './clinical-safety.ts';
import type { BreachReviewSection } from './breach-review.ts';
import { z } from 'zod';
import { formatDuration, incidentDurations } from './durations.ts';
import {
  incidentRef,
  ROLE_LABELS,
  ROLES,
  STATUS_LABELS,
  type Incident,
  type IncidentStatus,
  type RoleName,
} from './incident.ts';
import { SEVERITIES, type Severity } from './severity.ts';
import { formatInZone, isCalendarDay } from './time.ts';
import { breachDeadline } from './breach.ts';
import { declaredAtFrom, statusChangesFrom } from './timeline.ts';
import type { TimelineEntry } from './timeline.ts';
import type { ChangeEvent, ChangeKind } from './changes.ts';
import type { ActionItemTracker } from './trackers.ts';

// ---------------------------------------------------------------------------------------------
// Taxonomies
// ---------------------------------------------------------------------------------------------

export const CONTRIBUTING_FACTORS = [
  'missing-guardrail',
  'observability-gap',
  'unclear-ownership',
  'change-deploy',
  'capacity',
  'dependency',
  'runbook-gap',
  'process',
] as const;
export type ContributingFactor = (typeof CONTRIBUTING_FACTORS)[number];
export const CONTRIBUTING_FACTOR_LABELS: Record<ContributingFactor, string> = {
  'missing-guardrail': 'Missing guardrail',
  'observability-gap': 'Observability gap',
  'unclear-ownership': 'Unclear ownership',
  'change-deploy': 'Change or deploy',
  capacity: 'Capacity',
  dependency: 'Dependency',
  'runbook-gap': 'Runbook gap',
  process: 'Process',
};

export const ACTION_CATEGORIES = ['guardrail', 'observability', 'ownership', 'runbook', 'process'] as const;
export type ActionCategory = (typeof ACTION_CATEGORIES)[number];
export const ACTION_CATEGORY_LABELS: Record<ActionCategory, string> = {
  guardrail: 'Guardrail',
  observability: 'Observability',
  ownership: 'Ownership',
  runbook: 'Runbook',
  process: 'Process',
};

export const ACTION_PRIORITIES = ['high', 'medium', 'low'] as const;
export type ActionPriority = (typeof ACTION_PRIORITIES)[number];

export const DETECTION_METHODS = ['alert', 'customer-report', 'staff-report', 'monitoring-dashboard', 'other'] as const;
export type DetectionMethod = (typeof DETECTION_METHODS)[number];
export const DETECTION_LABELS: Record<DetectionMethod, string> = {
  alert: 'Alert',
  'customer-report': 'Customer report',
  'staff-report': 'Staff report',
  'monitoring-dashboard': 'Monitoring dashboard',
  other: 'Other',
};

// ---------------------------------------------------------------------------------------------
// What a person adds (the parts the record cannot know)
// ---------------------------------------------------------------------------------------------

/** Slack's plain-text input allows 3,000 characters. */
export const REVIEW_TEXT_MAX = 3000;
export const ACTION_TEXT_MAX = 500;

const list = (values: readonly string[]) => values.join(', ');

const text = (what: string, max = REVIEW_TEXT_MAX) =>
  z
    .string({ error: `${what} must be text.` })
    .trim()
    .max(max, { error: `${what} can be at most ${max} characters.` });

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 does not): time.ts's one rule. */
export const isCalendarDate = isCalendarDay;

const actionItemSchema = z.object({
  text: z
    .string({ error: 'An action item needs a description.' })
    .trim()
    .min(1, { error: 'Describe the action item (it cannot be empty).' })
    .max(ACTION_TEXT_MAX, { error: `An action item can be at most ${ACTION_TEXT_MAX} characters.` }),
  ownerId: z
    .string({ error: 'The owner must be a Slack user ID.' })
    .regex(/^[UW][A-Z0-9]{2,}$/, { error: 'The owner must be a Slack user ID such as U0123ABCD (not a @name).' })
    .optional(),
  due: z
    .string({ error: 'The due date must be text in the form YYYY-MM-DD.' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'The due date must look like YYYY-MM-DD, e.g. 2026-12-01.' })
    // Only a well-shaped date is checked against the calendar (one message per mistake).
    .refine((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s) || isCalendarDate(s), {
      error: 'The due date is not a real calendar date from 1970 to 9998 (check the day and month).',
    })
    .optional(),
  category: z.enum(ACTION_CATEGORIES, { error: `Choose an action category: ${list(ACTION_CATEGORIES)}.` }),
  priority: z.enum(ACTION_PRIORITIES, { error: `Choose a priority: ${list(ACTION_PRIORITIES)}.` }).default('medium'),
  /** Set for stored items (ACT-12); a form's new item has none yet. */
  ref: z.string().max(20).optional(),
  status: z.enum(['open', 'done'], { error: 'An action item is open or done.' }).default('open'),
});

/**
 * The parts of a review a person supplies. Every section is optional (a review can be filled in
 * over time); a section that is absent or blank is reported in `PostIncidentReview.missing`.
 */
export const reviewInputSchema = z.object({
  impact: z
    .object(
      {
        usersAffected: text('Users affected').optional(),
        clinicalImpact: text('Clinical impact').min(1, {
          error: 'Describe the clinical or patient impact (write “None” if there was none).',
        }),
        dataImpact: text('Data impact').min(1, { error: 'Describe the data impact (write “None” if there was none).' }),
      },
      { error: 'Impact must list clinical impact and data impact.' },
    )
    .optional(),
  detection: z
    .object(
      {
        how: z.enum(DETECTION_METHODS, { error: `Choose how the incident was detected: ${list(DETECTION_METHODS)}.` }),
        note: text('The detection note').optional(),
      },
      { error: 'Detection must say how the incident was detected.' },
    )
    .optional(),
  contributingFactors: z
    .array(
      z.object({
        factor: z.enum(CONTRIBUTING_FACTORS, {
          error: `Choose a contributing factor from: ${list(CONTRIBUTING_FACTORS)}.`,
        }),
        detail: text('A contributing factor’s detail').default(''),
      }),
      { error: 'Contributing factors must be a list.' },
    )
    .max(CONTRIBUTING_FACTORS.length * 4, { error: 'Too many contributing factors.' })
    .optional(),
  otherFactors: text('Other factors').optional(),
  wentWell: text('What went well').optional(),
  wasHard: text('What was hard').optional(),
  actionItems: z
    .array(actionItemSchema, { error: 'Action items must be a list.' })
    .max(100, { error: 'At most 100 action items per review.' })
    .optional(),
});

/** Parsed input (defaults applied). */
export type ReviewInput = z.output<typeof reviewInputSchema>;
/** Input as a form or the CLI sends it. */
export type ReviewInputDraft = z.input<typeof reviewInputSchema>;

/** Friendly messages for a failed parse, each prefixed with where it applies (e.g. `actionItems.1.due`). */
export function reviewInputErrors(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

// ---------------------------------------------------------------------------------------------
// The review
// ---------------------------------------------------------------------------------------------

/** Sections a person still has to fill in. */
export const REVIEW_SECTIONS = [
  'impact',
  'detection',
  'contributingFactors',
  'wentWell',
  'wasHard',
  'actionItems',
] as const;
export type ReviewSection = (typeof REVIEW_SECTIONS)[number];

export interface SeverityStep {
  at: string;
  atText: string;
  severity: Severity;
  /** null for the declaration. */
  from: Severity | null;
  reason: string | null;
  actorId: string | null;
}

export interface ReviewTimelineItem {
  at: string;
  atText: string;
  kind: string;
  actorId: string | null;
  text: string;
  permalink: string | null;
  edited: boolean;
  /** A pinned message deleted in Slack after it was pinned. */
  deleted: boolean;
}

export const KEY_TIME_LABELS: Record<keyof KeyTimes, string> = {
  declared: 'Declared',
  acknowledged: 'Acknowledged',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
  closed: 'Closed',
};

export interface KeyTimes {
  declared: string;
  acknowledged: string | null;
  mitigated: string | null;
  resolved: string | null;
  closed: string | null;
}

export interface ReviewDuration {
  ms: number | null;
  text: string;
}

export interface ReviewDurations {
  toAcknowledge: ReviewDuration;
  toMitigate: ReviewDuration;
  toResolve: ReviewDuration;
  toClose: ReviewDuration;
}

/** How far before the declaration the review looks for changes. */
export const WHAT_CHANGED_HOURS = 24;
/** Changes a review lists at most (newest first): the rest are counted. */
export const WHAT_CHANGED_MAX = 50;

/** A change to the incident's service (or its system) before it was declared. */
export interface ReviewChange {
  at: string;
  atText: string;
  kind: ChangeKind;
  /** The catalog name it matched, else the name the sender gave. */
  service: string;
  /** False: the catalog did not know the service when the change came (shown as unknown). */
  serviceKnown: boolean;
  environment: string | null;
  version: string | null;
  summary: string;
  author: string | null;
  /** Empty: no approver recorded. */
  approvers: string[];
  /** http(s) only; null otherwise. */
  url: string | null;
  /** It landed during a change freeze without an override. */
  flagged: boolean;
}

export interface PostIncidentReview {
  header: {
    ref: string;
    number: number;
    title: string;
    description: string;
    affectedService: string | null;
    declaredBy: string;
    severity: Severity;
    severityHistory: SeverityStep[];
    status: IncidentStatus;
    statusLabel: string;
    roles: { role: RoleName; label: string; userId: string | null }[];
    isPrivate: boolean;
    clinicalImpact: boolean;
    nearMiss: boolean;
    /** An exercise (drill): its review is an exercise record, headed "Exercise". */
    drill: boolean;
    /** A personal-data breach: when it became known, the regulator deadline and the notification. */
    dataBreach: {
      awareAt: string | null;
      awareText: string | null;
      deadline: string | null;
      deadlineText: string | null;
      notifiedAt: string | null;
      notifiedText: string | null;
      notifiedBy: string | null;
      /** True when notified after the deadline; null while not notified. */
      late: boolean | null;
    } | null;
    timeZone: string;
  };
  impact: { usersAffected: string | null; clinicalImpact: string; dataImpact: string } | null;
  /** Hazards, their ratings before and after, and the sign-off (DCB0129 / DCB0160): with clinical impact or any hazard linked. */
  clinicalSafety?: ClinicalSafetySection | null;
  /** A personal data breach's assessment (the decision and its reason) and its obligations with the notifications made. */
  breach?: BreachReviewSection | null;
  keyTimes: KeyTimes;
  /** Key times in opts.timeZone, for reading. */
  keyTimesText: Record<keyof KeyTimes, string | null>;
  durations: ReviewDurations;
  timeline: ReviewTimelineItem[];
  /**
   * The changes to the affected service and its system in the WHAT_CHANGED_HOURS before the
   * declaration, newest first (at most WHAT_CHANGED_MAX; `more`: how many more there were).
   */
  whatChanged: {
    /** The window: WHAT_CHANGED_HOURS before the declaration, up to it (ISO 8601). */
    sinceAt: string;
    untilAt: string;
    hours: number;
    changes: ReviewChange[];
    more: number;
  };
  detection: {
    how: DetectionMethod | null;
    howLabel: string | null;
    note: string | null;
    /** From the record: declared → first move out of "declared". */
    timeToAcknowledge: ReviewDuration;
  };
  contributingFactors: {
    factors: { factor: ContributingFactor; label: string; detail: string | null }[];
    other: string | null;
  } | null;
  wentWell: string | null;
  wasHard: string | null;
  actionItems:
    | {
        text: string;
        ownerId: string | null;
        due: string | null;
        category: ActionCategory;
        categoryLabel: string;
        priority: ActionPriority;
        /** ACT-12 for stored items; null for items only in the input. */
        ref: string | null;
        status: 'open' | 'done';
        /** A stored item's tracker issue (being created, or linked); absent or null: in Slack only. */
        tracker?: ActionItemTracker | null;
      }[]
    | null;
  /** Sections the record cannot know and the input does not give (in REVIEW_SECTIONS order). */
  missing: ReviewSection[];
}

export interface BuildReviewOptions {
  /** IANA zone every readable time is given in (settings.defaultTimeZone). */
  timeZone: string;
  /**
   * The changes recorded to the incident's service and its system (ChangeLog.changesTo); those in
   * the WHAT_CHANGED_HOURS before the declaration are listed. Absent: none were recorded.
   */
  changes?: readonly ChangeEvent[];
  /** How many more changes there were than `changes` holds (the read was limited). */
  moreChanges?: number;
}

const isWebLink = (u: string | null): u is string => !!u && /^https?:\/\/[^\s<>|]+$/.test(u) && u.length <= 2000;

/** The review's "What changed": the changes of the window before `declaredAt`, newest first. */
export function whatChangedBefore(
  declaredAt: Date,
  changes: readonly ChangeEvent[],
  fmt: (d: Date) => string,
  more = 0,
): PostIncidentReview['whatChanged'] {
  const to = declaredAt.getTime();
  const from = to - WHAT_CHANGED_HOURS * 3600_000;
  const inWindow = changes
    .filter((c) => c.occurredAt.getTime() >= from && c.occurredAt.getTime() <= to)
    .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return {
    sinceAt: new Date(from).toISOString(),
    untilAt: new Date(to).toISOString(),
    hours: WHAT_CHANGED_HOURS,
    changes: inWindow.slice(0, WHAT_CHANGED_MAX).map((c) => ({
      at: c.occurredAt.toISOString(),
      atText: fmt(c.occurredAt),
      kind: c.kind,
      service: c.serviceName ?? c.service,
      serviceKnown: c.serviceName !== null,
      environment: c.environment,
      version: c.version,
      summary: c.summary,
      author: c.author,
      approvers: [...c.approvers],
      url: isWebLink(c.url) ? c.url : null,
      flagged: c.flagged,
    })),
    more: Math.max(0, inWindow.length - WHAT_CHANGED_MAX) + more,
  };
}

const isSeverity = (v: unknown): v is Severity =>
  typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
const blankToNull = (s: string | undefined): string | null => (s === undefined || s.trim() === '' ? null : s);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/**
 * The post-incident review of `incident` from its timeline `entries` and what a person added
 * (`input`, parsed by reviewInputSchema; null when nothing was added yet). Pure and deterministic:
 * the same record and input give a deep-equal, JSON-serialisable result.
 */
function breachFacts(
  incident: Incident,
  fmt: (d: Date) => string,
): NonNullable<PostIncidentReview['header']['dataBreach']> {
  const deadline = incident.breachAwareAt ? breachDeadline(incident.breachAwareAt) : null;
  const notified = incident.breachNotifiedAt;
  return {
    awareAt: incident.breachAwareAt?.toISOString() ?? null,
    awareText: incident.breachAwareAt ? fmt(incident.breachAwareAt) : null,
    deadline: deadline?.toISOString() ?? null,
    deadlineText: deadline ? fmt(deadline) : null,
    notifiedAt: notified?.toISOString() ?? null,
    notifiedText: notified ? fmt(notified) : null,
    notifiedBy: incident.breachNotifiedBy,
    late: notified ? deadline !== null && notified.getTime() > deadline.getTime() : null,
  };
}

export function buildReview(
  incident: Incident,
  entries: readonly TimelineEntry[],
  input: ReviewInput | null,
  opts: BuildReviewOptions,
): PostIncidentReview {
  const steps = reviewSteps(incident, entries, input, opts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Timeline entries a step of reviewSteps turns into review lines (a few ms each). */
export const REVIEW_STEP_ENTRIES = 500;

/**
 * buildReview in steps: it pauses (yields) after every REVIEW_STEP_ENTRIES timeline entries and
 * returns the same review at the end, so a caller can let other work run between steps.
 */
export function* reviewSteps(
  incident: Incident,
  entries: readonly TimelineEntry[],
  input: ReviewInput | null,
  opts: BuildReviewOptions,
): Generator<void, PostIncidentReview, void> {
  // formatInZone builds Intl formatters per call; times repeat to the minute, so remember them.
  const formatted = new Map<number, string>();
  const fmt = (d: Date): string => {
    const minute = Math.floor(d.getTime() / 60_000);
    let s = formatted.get(minute);
    if (s === undefined) {
      s = formatInZone(d, opts.timeZone);
      formatted.set(minute, s);
    }
    return s;
  };
  const iso = (d: Date) => d.toISOString();

  // Oldest first; equal times keep the store's order (stable sort).
  const sorted = entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.occurredAt.getTime() - b.e.occurredAt.getTime() || a.i - b.i)
    .map(({ e }) => e);

  const declaredAt = declaredAtFrom(sorted, incident.createdAt);
  const changes = statusChangesFrom(sorted);
  const durations = incidentDurations(declaredAt, changes);
  // Resolved as incidentDurations has it (a reopen clears it until resolved again); closed only
  // while the latest change is the close.
  const resolved = durations.toResolveMs === null ? null : new Date(declaredAt.getTime() + durations.toResolveMs);
  let closedAt: Date | null = null;
  for (const c of changes) closedAt = c.to === 'CLOSED' ? c.at : null;
  const since = (d: Date | null) => (d ? d.getTime() - declaredAt.getTime() : null);
  const acknowledged =
    durations.toAcknowledgeMs === null ? null : new Date(declaredAt.getTime() + durations.toAcknowledgeMs);
  const mitigated = durations.toMitigateMs === null ? null : new Date(declaredAt.getTime() + durations.toMitigateMs);
  const dur = (ms: number | null): ReviewDuration => ({ ms, text: formatDuration(ms) });

  const keyDates = { declared: declaredAt, acknowledged, mitigated, resolved, closed: closedAt };
  const keyTimes: KeyTimes = {
    declared: iso(declaredAt),
    acknowledged: acknowledged && iso(acknowledged),
    mitigated: mitigated && iso(mitigated),
    resolved: resolved && iso(resolved),
    closed: closedAt && iso(closedAt),
  };
  const keyTimesText = Object.fromEntries(Object.entries(keyDates).map(([k, d]) => [k, d ? fmt(d) : null])) as Record<
    keyof KeyTimes,
    string | null
  >;

  // Severity history: the declared severity, then each change.
  const severityHistory: SeverityStep[] = [];
  const declaredEntry = sorted.find((e) => e.kind === 'declared');
  const severityChanges = sorted.filter((e) => e.kind === 'severity_changed' && isSeverity(e.data?.to));
  const initial = isSeverity(declaredEntry?.data?.severity)
    ? declaredEntry.data.severity
    : isSeverity(severityChanges[0]?.data?.from)
      ? severityChanges[0].data.from
      : incident.severity;
  severityHistory.push({
    at: iso(declaredAt),
    atText: fmt(declaredAt),
    severity: initial,
    from: null,
    reason: null,
    actorId: declaredEntry?.actorId ?? incident.declaredBy,
  });
  for (const e of severityChanges) {
    const prev = severityHistory.at(-1)!.severity;
    severityHistory.push({
      at: iso(e.occurredAt),
      atText: fmt(e.occurredAt),
      severity: e.data!.to as Severity,
      from: isSeverity(e.data?.from) ? e.data.from : prev,
      reason: str(e.data?.reason),
      actorId: e.actorId,
    });
  }

  const timeline: ReviewTimelineItem[] = [];
  for (const e of sorted) {
    timeline.push({
      at: iso(e.occurredAt),
      atText: fmt(e.occurredAt),
      kind: e.kind,
      actorId: e.actorId,
      text: e.text,
      permalink: e.permalink,
      edited: e.editedAt !== null,
      deleted: e.deletedAt !== null,
    });
    if (timeline.length % REVIEW_STEP_ENTRIES === 0) yield;
  }

  // What a person added.
  const impact = input?.impact
    ? {
        usersAffected: blankToNull(input.impact.usersAffected),
        clinicalImpact: input.impact.clinicalImpact,
        dataImpact: input.impact.dataImpact,
      }
    : null;
  const how = input?.detection?.how ?? null;
  const factors = (input?.contributingFactors ?? []).map((f) => ({
    factor: f.factor,
    label: CONTRIBUTING_FACTOR_LABELS[f.factor],
    detail: blankToNull(f.detail),
  }));
  const otherFactors = blankToNull(input?.otherFactors);
  const contributingFactors = factors.length || otherFactors ? { factors, other: otherFactors } : null;
  const actionItems = input?.actionItems
    ? input.actionItems.map((a) => ({
        text: a.text,
        ownerId: a.ownerId ?? null,
        due: a.due ?? null,
        category: a.category,
        categoryLabel: ACTION_CATEGORY_LABELS[a.category],
        priority: a.priority,
        ref: a.ref ?? null,
        status: a.status,
      }))
    : null;
  const wentWell = blankToNull(input?.wentWell);
  const wasHard = blankToNull(input?.wasHard);

  const present: Record<ReviewSection, boolean> = {
    impact: impact !== null,
    detection: how !== null,
    contributingFactors: contributingFactors !== null,
    wentWell: wentWell !== null,
    wasHard: wasHard !== null,
    actionItems: actionItems !== null,
  };

  return {
    header: {
      ref: incidentRef(incident),
      number: incident.number,
      title: incident.title,
      description: incident.description,
      affectedService: incident.affectedService,
      declaredBy: incident.declaredBy,
      severity: incident.severity,
      severityHistory,
      status: incident.status,
      statusLabel: STATUS_LABELS[incident.status],
      roles: ROLES.map((role) => ({ role, label: ROLE_LABELS[role], userId: incident.roles[role] ?? null })),
      isPrivate: incident.isPrivate,
      clinicalImpact: incident.clinicalImpact,
      nearMiss: incident.nearMiss,
      drill: incident.drill,
      dataBreach: incident.dataBreach ? breachFacts(incident, fmt) : null,
      timeZone: opts.timeZone,
    },
    impact,
    keyTimes,
    keyTimesText,
    durations: {
      toAcknowledge: dur(durations.toAcknowledgeMs),
      toMitigate: dur(durations.toMitigateMs),
      toResolve: dur(durations.toResolveMs),
      toClose: dur(since(closedAt)),
    },
    timeline,
    whatChanged: whatChangedBefore(declaredAt, opts.changes ?? [], fmt, opts.moreChanges ?? 0),
    detection: {
      how,
      howLabel: how && DETECTION_LABELS[how],
      note: blankToNull(input?.detection?.note),
      timeToAcknowledge: dur(durations.toAcknowledgeMs),
    },
    contributingFactors,
    wentWell,
    wasHard,
    actionItems,
    missing: REVIEW_SECTIONS.filter((s) => !present[s]),
  };
}
