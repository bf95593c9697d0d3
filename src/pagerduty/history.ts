// The OnCallHistory port on PagerDuty's REST API v2, for the on-call load report.
//  - findScope: GET /schedules?query= then GET /teams?query= (exact name first, schedules before teams, else the one
//    partial match).
//  - Stretches: GET /oncalls (since, until, earliest=false, include[]=users; schedule_ids[] for a schedule, or a team's
//    schedules from GET /schedules?team_ids[]=) in ranges of at most 90 days (its spec: "On-call shifts are limited to
//    90 days"), each on-call clipped to the window asked for.
//  - Pages: GET /log_entries (since, until, is_overview=false, time_zone=UTC) in windows of at most 7 days, paginated by
//    hand: PagerDuty refuses offset+limit beyond 10,000 (400 "Offset+limit exceeds maximum allowed value of 10000"), so
//    a window that would go past it is split in halves (down to an hour) and read again. assign_log_entry and
//    escalate_log_entry give one page per assignee.
//  - People: the users of those on-calls (include[]=users) and the assignees; a user seen only as a reference is read
//    once with GET /users/{id}.
// Every answer is checked with zod; anything unexpected throws OnCallUnavailable.
import { z } from 'zod';
import { nameOf, parseAll, parseOne, type Named } from './parse.ts';

import type { LoadScope, OnCallHistory, OnCallWindow } from '../ports/on-call-history.ts';
import type { OnCallPerson, OnCallStretch, PageEvent } from '../domain/on-call-load.ts';
import { OnCallUnavailable } from '../ports/on-call-provider.ts';
import {
  createPagerDutyClient,
  PagerDutyHttpError,
  type PagerDutyClient,
  type PagerDutyClientOptions,
} from './client.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Longest since..until asked of GET /oncalls: its spec says "On-call shifts are limited to 90 days". */
export const ONCALLS_MAX_RANGE_MS = 90 * DAY_MS;
/** Longest since..until asked of GET /log_entries at first. */
export const LOG_WINDOW_MS = 7 * DAY_MS;
/** A log entry window is halved while the halves stay at least this long. */
export const MIN_LOG_WINDOW_MS = HOUR_MS;
/** PagerDuty's classic (offset) pagination stops at offset+limit = 10,000. */
export const PAGINATION_CAP = 10_000;

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'is not a date' });
const reference = z.object({
  id: z.string(),
  type: z.string().nullish(),
  name: z.string().nullish(),
  summary: z.string().nullish(),
});
/** A user: a full User (include[]=users, GET /users/{id}) or a user_reference. */
const userSchema = z.object({
  id: z.string(),
  type: z.string().nullish(),
  name: z.string().nullish(),
  summary: z.string().nullish(),
  email: z.string().nullish(),
  time_zone: z.string().nullish(),
});
// The spec marks none of an on-call's fields required; the ones a stretch cannot do without are required here.
const onCallSchema = z.object({
  user: userSchema,
  schedule: reference.nullish(),
  escalation_policy: reference.nullish(),
  escalation_level: z.number().int(),
  start: isoDate.nullish(),
  end: isoDate.nullish(),
});
const PAGE_KINDS: Record<string, PageEvent['kind']> = {
  assign_log_entry: 'assigned',
  escalate_log_entry: 'escalated',
  // Reassigned to another escalation policy: its assignees are paged as well.
  delegate_log_entry: 'assigned',
};
/** Any log entry: only its id and type matter unless it is a page. */
const logEntrySchema = z.object({ id: z.string(), type: z.string() }).loose();
/** An assign_log_entry or escalate_log_entry: a page needs its time and its incident (optional in the spec). */
const pageEntrySchema = z.object({
  id: z.string(),
  type: z.string(),
  created_at: isoDate,
  incident: reference,
  service: reference.nullish(),
  assignees: z.array(userSchema).nullish(),
});
const logPageSchema = z.object({ log_entries: z.array(z.unknown()), more: z.boolean().nullish() });
const userAnswer = z.object({ user: userSchema });

type User = z.infer<typeof userSchema>;
type LogEntry = z.infer<typeof pageEntrySchema>;

/** An IANA zone name this runtime knows, else null (PagerDuty's own names, offsets, blanks). */
export function validTimeZone(zone: string | null | undefined): string | null {
  const z = zone?.trim();
  if (!z || !/^[A-Za-z]/.test(z)) return null;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: z });
    return z;
  } catch {
    return null;
  }
}

/** A full user object (not a bare reference): it carries the user's own fields. */
const hasDetails = (u: User): boolean =>
  u.type !== 'user_reference' && (u.email !== undefined || u.time_zone !== undefined);

const toPerson = (u: User): OnCallPerson => ({
  id: u.id,
  name: nameOf(u),
  email: u.email?.trim() || null,
  timeZone: validTimeZone(u.time_zone),
});

/** [since, until) cut into consecutive ranges of at most `size` ms. */
function ranges(since: number, until: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let a = since; a < until; a += size) out.push([a, Math.min(until, a + size)]);
  return out;
}

/** fn over items, at most `limit` at a time; results in the order of items. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** PagerDuty's 400 for offset+limit past its pagination cap ("Offset+limit exceeds…", formerly "Offset must be less than…"). */
function isPaginationCap(err: unknown): boolean {
  return (
    err instanceof PagerDutyHttpError &&
    err.status === 400 &&
    /offset\s*\+\s*limit exceeds|offset must be less/i.test(JSON.stringify(err.body ?? null))
  );
}

const iso = (ms: number) => new Date(ms).toISOString();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface PagerDutyHistoryOptions {
  /** Longest GET /oncalls range; 90 days by default. */
  onCallRangeMs?: number;
  /** First GET /log_entries windows; 7 days by default. */
  logWindowMs?: number;
  /** Smallest log entry window after halving; an hour by default. */
  minLogWindowMs?: number;
  /** PagerDuty's offset+limit cap; 10,000 by default. */
  paginationCap?: number;
  /** GET /log_entries page size (PagerDuty's maximum, 100, by default). */
  pageLimit?: number;
  /** Log entry windows and user look-ups read at the same time; 4 by default. */
  concurrency?: number;
}

export class PagerDutyHistory implements OnCallHistory {
  private readonly onCallRangeMs: number;
  private readonly logWindowMs: number;
  private readonly minLogWindowMs: number;
  private readonly paginationCap: number;
  private readonly pageLimit: number;
  private readonly concurrency: number;

  private readonly client: PagerDutyClient;

  constructor(client: PagerDutyClient, options: PagerDutyHistoryOptions = {}) {
    this.client = client;
    this.onCallRangeMs = options.onCallRangeMs ?? ONCALLS_MAX_RANGE_MS;
    this.logWindowMs = options.logWindowMs ?? LOG_WINDOW_MS;
    this.minLogWindowMs = options.minLogWindowMs ?? MIN_LOG_WINDOW_MS;
    this.paginationCap = options.paginationCap ?? PAGINATION_CAP;
    this.pageLimit = options.pageLimit ?? 100;
    this.concurrency = options.concurrency ?? 4;
  }

  static create(options: PagerDutyClientOptions & PagerDutyHistoryOptions): PagerDutyHistory {
    return new PagerDutyHistory(createPagerDutyClient(options), options);
  }

  async findScope(query: string): Promise<LoadScope | null> {
    const q = query.trim();
    if (q === '') return null;
    const lower = q.toLowerCase();
    const exactly = (r: Named) => nameOf(r).trim().toLowerCase() === lower;
    const partly = (r: Named) => nameOf(r).toLowerCase().includes(lower);

    const schedules = parseAll(
      reference,
      await this.client.getAll('/schedules', 'schedules', { query: q }),
      'schedules',
    );
    const schedule = schedules.find(exactly);
    if (schedule) return { kind: 'schedule', id: schedule.id, name: nameOf(schedule) };
    const teams = parseAll(reference, await this.client.getAll('/teams', 'teams', { query: q }), 'teams');
    const team = teams.find(exactly);
    if (team) return { kind: 'team', id: team.id, name: nameOf(team) };

    const partial: LoadScope[] = [
      ...schedules.filter(partly).map((s): LoadScope => ({ kind: 'schedule', id: s.id, name: nameOf(s) })),
      ...teams.filter(partly).map((t): LoadScope => ({ kind: 'team', id: t.id, name: nameOf(t) })),
    ];
    return partial.length === 1 ? partial[0]! : null;
  }

  async fetchWindow(scope: LoadScope, since: Date, until: Date): Promise<OnCallWindow> {
    const from = since.getTime();
    const to = until.getTime();
    if (!(to > from)) return { people: [], stretches: [], pages: [] };

    const onCalls = await this.onCalls(scope, from, to);
    const entries = await this.logEntriesIn(from, to);

    const stretches = this.stretches(onCalls, from, to);
    const pages = this.pages(entries, from, to);
    // The users of the stretches and pages kept, in the order met: the first full object of each is kept.
    const people = await this.people([...stretches.users, ...pages.users]);
    return { people, stretches: stretches.stretches, pages: pages.pages };
  }

  // ---- on-calls ---------------------------------------------------------------------------------

  private async scheduleIds(scope: LoadScope): Promise<string[] | null> {
    if (scope.kind === 'all') return null;
    if (scope.kind === 'schedule') return [scope.id];
    const raw = await this.client.getAll('/schedules', 'schedules', { 'team_ids[]': [scope.id] });
    return [...new Set(parseAll(reference, raw, 'schedules').map((s) => s.id))].sort(cmp);
  }

  private async onCalls(scope: LoadScope, from: number, to: number): Promise<Array<z.infer<typeof onCallSchema>>> {
    const scheduleIds = await this.scheduleIds(scope);
    if (scheduleIds?.length === 0) return []; // a team without schedules
    const chunks = await mapLimit(ranges(from, to, this.onCallRangeMs), this.concurrency, async ([a, b]) =>
      parseAll(
        onCallSchema,
        await this.client.getAll('/oncalls', 'oncalls', {
          since: iso(a),
          until: iso(b),
          earliest: false,
          'include[]': 'users',
          ...(scheduleIds ? { 'schedule_ids[]': scheduleIds } : {}),
        }),
        'on-calls',
      ),
    );
    return chunks.flat();
  }

  private stretches(
    onCalls: Array<z.infer<typeof onCallSchema>>,
    from: number,
    to: number,
  ): { stretches: OnCallStretch[]; users: User[] } {
    // An on-call overlapping two ranges is listed by both: keep it once.
    const seen = new Set<string>();
    const out: OnCallStretch[] = [];
    const users: User[] = [];
    for (const o of onCalls) {
      const start = o.start ? Date.parse(o.start) : -Infinity;
      const end = o.end ? Date.parse(o.end) : Infinity;
      const stretch = {
        userId: o.user.id,
        scheduleId: o.schedule?.id ?? null,
        escalationPolicyId: o.escalation_policy?.id ?? null,
        level: o.escalation_level,
      };
      const key = JSON.stringify([
        stretch.userId,
        stretch.scheduleId,
        stretch.escalationPolicyId,
        stretch.level,
        start,
        end,
      ]);
      if (seen.has(key)) continue;
      seen.add(key);
      const s = Math.max(start, from);
      const e = Math.min(end, to);
      if (e <= s) continue;
      out.push({ ...stretch, start: new Date(s), end: new Date(e) });
      users.push(o.user);
    }
    out.sort(
      (a, b) =>
        a.start.getTime() - b.start.getTime() ||
        cmp(a.userId, b.userId) ||
        a.end.getTime() - b.end.getTime() ||
        a.level - b.level ||
        cmp(a.scheduleId ?? '', b.scheduleId ?? '') ||
        cmp(a.escalationPolicyId ?? '', b.escalationPolicyId ?? ''),
    );
    return { stretches: out, users };
  }

  // ---- log entries ------------------------------------------------------------------------------

  private async logEntriesIn(from: number, to: number): Promise<LogEntry[]> {
    const windows = await mapLimit(ranges(from, to, this.logWindowMs), this.concurrency, ([a, b]) =>
      this.logEntries(a, b),
    );
    return windows.flat();
  }

  /** Every log entry of [since, until), halving the window while it has more than the pagination cap allows. */
  private async logEntries(since: number, until: number): Promise<LogEntry[]> {
    const read = await this.readLogWindow(since, until);
    if (read !== 'too-many') return parseAll(pageEntrySchema, read, 'log entries');
    const half = Math.floor((until - since) / 2);
    if (half < this.minLogWindowMs) {
      throw new OnCallUnavailable(
        `PagerDuty has more log entries between ${iso(since)} and ${iso(until)} than its pagination reaches ` +
          `(offset+limit ${this.paginationCap}): too busy a window to read`,
      );
    }
    const first = await this.logEntries(since, since + half);
    const second = await this.logEntries(since + half, until);
    return [...first, ...second];
  }

  /**
   * The page entries (assign, escalate) of [since, until), or 'too-many' when reading them all would pass the
   * pagination cap. An entry met twice (entries shifting between pages) counts once; a page with nothing new ends the
   * read, so a server that keeps answering `more` with the same entries cannot keep us looping.
   */
  private async readLogWindow(since: number, until: number): Promise<unknown[] | 'too-many'> {
    const items: unknown[] = [];
    const seen = new Set<string>();
    let offset = 0;
    for (;;) {
      if (offset + this.pageLimit > this.paginationCap) return 'too-many';
      let body: unknown;
      try {
        body = await this.client.get('/log_entries', {
          since: iso(since),
          until: iso(until),
          is_overview: false,
          time_zone: 'UTC',
          limit: this.pageLimit,
          offset,
        });
      } catch (err) {
        if (isPaginationCap(err)) return 'too-many';
        throw err;
      }
      const page = parseOne(logPageSchema, body, 'page of log entries');
      const entries = parseAll(logEntrySchema, page.log_entries, 'log entries');
      let fresh = 0;
      entries.forEach((e, i) => {
        if (seen.has(e.id)) return;
        seen.add(e.id);
        fresh++;
        if (e.type in PAGE_KINDS) items.push(page.log_entries[i]);
      });
      if (!page.more || fresh === 0) return items;
      offset += entries.length;
    }
  }

  private pages(entries: LogEntry[], from: number, to: number): { pages: PageEvent[]; users: User[] } {
    const seen = new Set<string>();
    const out: PageEvent[] = [];
    const users: User[] = [];
    for (const e of entries) {
      const kind = PAGE_KINDS[e.type];
      if (!kind) continue;
      const at = Date.parse(e.created_at);
      if (at < from || at >= to) continue;
      for (const assignee of e.assignees ?? []) {
        const key = `${e.id}\u0000${assignee.id}`;
        if (seen.has(key)) continue; // an entry on the boundary of two windows
        seen.add(key);
        users.push(assignee);
        out.push({
          id: e.id,
          incidentId: e.incident.id,
          userId: assignee.id,
          at: new Date(at),
          kind,
          serviceId: e.service?.id ?? null,
        });
      }
    }
    out.sort((a, b) => a.at.getTime() - b.at.getTime() || cmp(a.id, b.id) || cmp(a.userId, b.userId));
    return { pages: out, users };
  }

  // ---- people -----------------------------------------------------------------------------------

  private async people(users: User[]): Promise<OnCallPerson[]> {
    const detailed = new Map<string, User>();
    const referenced = new Map<string, User>();
    for (const u of users) {
      if (hasDetails(u)) {
        if (!detailed.has(u.id)) detailed.set(u.id, u);
      } else if (!referenced.has(u.id)) {
        referenced.set(u.id, u);
      }
    }
    const missing = [...referenced.keys()].filter((id) => !detailed.has(id)).sort(cmp);
    const fetched = await mapLimit(missing, this.concurrency, async (id): Promise<OnCallPerson> => {
      let body: unknown;
      try {
        body = await this.client.get(`/users/${encodeURIComponent(id)}`);
      } catch (err) {
        // A user deleted since: what the reference says.
        if (err instanceof PagerDutyHttpError && err.status === 404)
          return toPerson({ ...referenced.get(id)!, email: null, time_zone: null });
        throw err;
      }
      const { user } = parseOne(userAnswer, body, 'user');
      return { ...toPerson(user), id };
    });
    return [...[...detailed.values()].map(toPerson), ...fetched].sort((a, b) => cmp(a.id, b.id));
  }
}
