import type { StatusChange } from './durations.ts';
import { STATUSES, type IncidentStatus } from './incident.ts';
import { formatInZone, isValidTimeZone } from './time.ts';

export interface NewTimelineEntry {
  occurredAt: Date;
  kind: string;
  actorId: string | null;
  text: string;
  data?: Record<string, unknown>;
}

export interface TimelineEntry extends NewTimelineEntry {
  id: string;
  incidentId: string;
  /** Entries made from a Slack message (pinned, or given a pushpin) keep its ts and permalink. */
  sourceTs: string | null;
  permalink: string | null;
  editedAt: Date | null;
  deletedAt: Date | null;
}

/**
 * A timeline time for one reader: the team's default zone, then the reader's own Slack zone in
 * parentheses when it reads differently, e.g. `Tue 24 Nov 14:05 GMT (09:05 EST)`. The reader's
 * date is repeated only when it is another day there: `Tue 24 Nov 23:30 GMT (Wed 25 Nov 08:30 JST)`.
 */
export function formatReaderTime(date: Date, defaultZone: string, readerZone: string | null): string {
  const base = formatInZone(date, defaultZone);
  if (!readerZone || readerZone === defaultZone || !isValidTimeZone(readerZone)) return base;
  const theirs = formatInZone(date, readerZone);
  if (theirs === base) return base;
  // formatInZone gives `EEE d MMM HH:mm ZONE`: the first three words are the date.
  const day = (s: string) => s.split(' ').slice(0, 3).join(' ');
  const clock = (s: string) => s.split(' ').slice(3).join(' ');
  return `${base} (${day(theirs) === day(base) ? clock(theirs) : theirs})`;
}

/** The parts of a timeline entry the duration metrics read. */
export interface StatusEntry {
  kind: string;
  occurredAt: Date;
  data?: Record<string, unknown>;
}

const isStatus = (v: unknown): v is IncidentStatus =>
  typeof v === 'string' && (STATUSES as readonly string[]).includes(v);

/** Kinds that mean a move to a known status even when their data does not say `to`. */
const IMPLIED: Record<string, IncidentStatus> = { resolved: 'RESOLVED', closed: 'CLOSED' };
const STATUS_KINDS = new Set(['status_changed', 'resolved', 'closed', 'reopened']);
/** Every kind of entry statusChangesFrom and declaredAtFrom read: a store reads only these for the durations. */
export const DURATION_KINDS: readonly string[] = ['declared', ...STATUS_KINDS];

/**
 * The status changes on a timeline, oldest first, for incidentDurations: `status_changed` entries
 * (data {from, to}), and resolve / close / reopen entries (their data.to, or the status they imply).
 */
export function statusChangesFrom(entries: readonly StatusEntry[]): StatusChange[] {
  const out: StatusChange[] = [];
  for (const e of entries) {
    if (!STATUS_KINDS.has(e.kind)) continue;
    const to = isStatus(e.data?.to) ? e.data.to : IMPLIED[e.kind];
    if (to) out.push({ at: e.occurredAt, to });
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * Entries in reading order: by time and, at the same time, the declaration before what was recorded
 * with it (a near miss's resolution, a breach known since the declaration); otherwise as given.
 */
export function inReadingOrder<E extends { occurredAt: Date; kind: string }>(entries: readonly E[]): E[] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        a.e.occurredAt.getTime() - b.e.occurredAt.getTime() ||
        Number(b.e.kind === 'declared') - Number(a.e.kind === 'declared') ||
        a.i - b.i,
    )
    .map(({ e }) => e);
}

/** When the incident was declared, from its `declared` entry (else `fallback`, its creation time). */
export function declaredAtFrom(entries: readonly StatusEntry[], fallback: Date): Date {
  return entries.find((e) => e.kind === 'declared')?.occurredAt ?? fallback;
}

/**
 * The time a Slack message was posted, from its ts (`1764000000.000100`: seconds since the epoch,
 * then a per-channel sequence); null when it is not a ts.
 */
export function slackTsToDate(ts: string): Date | null {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(ts);
  if (!m) return null;
  const micros = Number((m[2] ?? '').padEnd(6, '0'));
  return new Date(Number(m[1]) * 1000 + Math.floor(micros / 1000));
}
