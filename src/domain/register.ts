// The incident register (the web view's list of incidents): its filters as the address gives them,
// the period in the viewer's time zone, the search, and the rows as CSV. Pure: the database does
// the filtering (ports/incident-register.ts), this decides what is asked.
import { z } from 'zod';
import { formatDuration } from './durations.ts';
import { incidentRef, STATUS_LABELS, STATUSES, type IncidentStatus } from './incident.ts';
import { csvText } from './load-csv.ts';
import { SEVERITIES, type Severity } from './severity.ts';
import { addDays, calendarDayParam, dayPeriod, periodFrom, type PeriodRules } from './time.ts';

/** Rows on one page of the register. */
export const REGISTER_PAGE_SIZE = 50;
/** Rows a CSV export holds at most (the rest are named in a last line). */
export const REGISTER_CSV_MAX = 10_000;
/** The period shown when none is given: the last 90 days (today included). */
export const REGISTER_DEFAULT_DAYS = 90;
/** The statuses of an incident still being worked on (`status=active`). */
export const ACTIVE_STATUSES: readonly IncidentStatus[] = ['DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING'];

/** What the register is filtered by, as the viewer asked (dates are calendar days in their zone). */
export interface RegisterFilter {
  /** First and last day, inclusive (YYYY-MM-DD in `timeZone`). */
  from: string;
  to: string;
  timeZone: string;
  /** Empty: every severity. */
  severities: Severity[];
  /** A status, `active` (any of ACTIVE_STATUSES), or null for any. */
  status: IncidentStatus | 'active' | null;
  /** The affected service, matched whole and case-insensitively. */
  service: string | null;
  /** The owning team: its catalog reference (group:default/platform) or title, case-insensitively. */
  owner: string | null;
  nearMiss: boolean | null;
  /** Exercises (drills) only, real incidents only, or null for both. */
  drill: boolean | null;
  /** Searched in titles; `INC-42`, `#42` or `42` also finds incident 42. */
  q: string | null;
}

/** What the database is asked (ports/incident-register.ts): the filter made concrete. */
export interface RegisterWhere {
  /** Declared at or after `start` and before `end`. */
  start: Date;
  end: Date;
  severities: Severity[];
  statuses: IncidentStatus[];
  /** Lower case. */
  service: string | null;
  /** Service owner references, lower case (a title may name more than one team); empty: any. */
  owners: string[];
  nearMiss: boolean | null;
  drill: boolean | null;
  /** Lower case, searched in titles. */
  text: string | null;
  /** An incident number the search names (INC-42). */
  number: number | null;
  /** The private channels the viewer is in: a private incident is listed only when its channel is one of them. */
  privateChannels: string[];
}

/** One incident as the register lists it. */
export interface RegisterRow {
  id: string;
  number: number;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  affectedService: string | null;
  serviceOwner: string | null;
  /** The commander, else the declarer (domain/access.ts commandingUser). */
  commanderId: string;
  declaredAt: Date;
  resolvedAt: Date | null;
  closedAt: Date | null;
  isPrivate: boolean;
  nearMiss: boolean;
  /** An exercise (drill): listed, marked. */
  drill: boolean;
  clinicalImpact: boolean;
  dataBreach: boolean;
}

const day = calendarDayParam;

/**
 * A page number: digits only (z.coerce.number would take 1e3, 0x10 or " 7"), 1 to 100,000. The
 * digits are counted before Number reads them, so no text becomes a number the database cannot take.
 */
const pageNumber = z
  .string()
  .regex(/^\d{1,6}$/, { error: 'must be a page number (digits only)' })
  .transform(Number)
  .pipe(z.number().min(1, { error: 'must be 1 or more' }).max(100_000, { error: 'is too large' }));
const blankless = (schema: z.ZodType) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/**
 * The register's query parameters for parseQuery (src/web/query.ts): each checked, blank is unset.
 * `severity` is one severity or a comma list (`SEV1,SEV2`); `status` one status or `active`.
 */
export const REGISTER_QUERY = {
  from: blankless(day),
  to: blankless(day),
  severity: blankless(
    z
      .string()
      .transform((s) => s.split(',').map((p) => p.trim().toUpperCase()))
      .pipe(
        z
          .array(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')} (or a comma list of them)` }))
          .max(SEVERITIES.length),
      ),
  ),
  status: blankless(
    z
      .string()
      .transform((s) => s.trim().toUpperCase())
      .pipe(
        z.enum([...STATUSES, 'ACTIVE'], {
          error: `must be active or one of ${STATUSES.map((s) => s.toLowerCase()).join(', ')}`,
        }),
      ),
  ),
  service: blankless(z.string().trim().max(200, { error: 'is too long' })),
  owner: blankless(z.string().trim().max(200, { error: 'is too long' })),
  near_miss: blankless(
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(['yes', 'no'], { error: 'must be yes or no' })),
  ),
  drill: blankless(
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(['yes', 'no'], { error: 'must be yes or no' })),
  ),
  q: blankless(z.string().trim().max(200, { error: 'is too long' })),
  page: blankless(pageNumber),
};

export type RegisterQuery = {
  from?: string;
  to?: string;
  severity?: Severity[];
  status?: IncidentStatus | 'ACTIVE';
  service?: string;
  owner?: string;
  near_miss?: 'yes' | 'no';
  drill?: 'yes' | 'no';
  q?: string;
  page?: number;
};

/** The register's period rules (time.ts periodFrom): the last REGISTER_DEFAULT_DAYS days, no longest period. */
export const REGISTER_PERIOD: PeriodRules = {
  defaultPeriod: (today) => ({ fromDate: addDays(today, -(REGISTER_DEFAULT_DAYS - 1)), toDate: today }),
  defaultDays: REGISTER_DEFAULT_DAYS,
};

/**
 * The filter the parsed query asks for, seen by someone in `timeZone` at `now`: the period as every
 * page reads one (time.ts periodFrom): the last REGISTER_DEFAULT_DAYS days up to today by default, a
 * `from` alone runs to today (or is that day, when later), a `to` alone starts 90 days before it. A
 * period that ends before it starts is refused (the message, for a 400).
 */
export function registerFilterOf(
  query: RegisterQuery,
  opts: { now: Date; timeZone: string },
): { filter: RegisterFilter; page: number } | { problem: string } {
  const period = periodFrom({ from: query.from, to: query.to }, REGISTER_PERIOD, opts);
  if ('problem' in period) return period;
  return {
    filter: {
      from: period.fromDate,
      to: period.toDate,
      timeZone: opts.timeZone,
      severities: [...new Set(query.severity ?? [])],
      status: query.status === 'ACTIVE' ? 'active' : (query.status ?? null),
      service: query.service ?? null,
      owner: query.owner ?? null,
      nearMiss: query.near_miss === undefined ? null : query.near_miss === 'yes',
      drill: query.drill === undefined ? null : query.drill === 'yes',
      q: query.q ?? null,
    },
    page: query.page ?? 1,
  };
}

/** The incident number a search names: `INC-42`, `inc 42`, `#42` or `42`; null otherwise. */
export function searchedNumber(q: string): number | null {
  const m = /^(?:inc[-\s]?|#)?(\d{1,9})$/i.exec(q.trim());
  return m ? Number(m[1]) : null;
}

/**
 * What the database is asked for `filter`: the period as instants (from the first day's start to the
 * day after the last, in the viewer's zone), `owners` the team references the owner filter names
 * (the caller resolves catalog titles), and the private channels the viewer is in.
 */
export function registerWhere(
  filter: RegisterFilter,
  opts: { owners?: readonly string[]; privateChannels: Iterable<string> },
): RegisterWhere {
  const q = filter.q?.trim() || null;
  const period = dayPeriod(filter.from, filter.to, filter.timeZone);
  return {
    start: period.since,
    end: period.until,
    severities: filter.severities,
    statuses: filter.status === 'active' ? [...ACTIVE_STATUSES] : filter.status ? [filter.status] : [],
    service: filter.service?.toLowerCase() ?? null,
    owners: filter.owner ? [...new Set([filter.owner, ...(opts.owners ?? [])].map((o) => o.toLowerCase()))] : [],
    nearMiss: filter.nearMiss,
    drill: filter.drill,
    text: q?.toLowerCase() ?? null,
    number: q ? searchedNumber(q) : null,
    privateChannels: [...opts.privateChannels].sort(),
  };
}

/** The filter as query parameters (the defaults left out), for links to other pages and the CSV. */
export function registerParams(filter: RegisterFilter, page = 1): URLSearchParams {
  const p = new URLSearchParams();
  p.set('from', filter.from);
  p.set('to', filter.to);
  if (filter.severities.length) p.set('severity', filter.severities.join(','));
  if (filter.status) p.set('status', filter.status.toLowerCase());
  if (filter.service) p.set('service', filter.service);
  if (filter.owner) p.set('owner', filter.owner);
  if (filter.nearMiss !== null) p.set('near_miss', filter.nearMiss ? 'yes' : 'no');
  if (filter.drill !== null) p.set('drill', filter.drill ? 'yes' : 'no');
  if (filter.q) p.set('q', filter.q);
  if (page > 1) p.set('page', String(page));
  return p;
}

/** How many pages `total` rows make (at least one, even empty). */
export function pageCount(total: number, size = REGISTER_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / size));
}

/**
 * Declared to resolved, from the record's times; null while unresolved (a reopen clears it) and for
 * a near miss: one is recorded already resolved (resolvedAt = declaredAt), so its "0 minutes" would
 * be no time to resolve at all. The incident page shows none either, and the insights leave near
 * misses out of the durations.
 */
export function timeToResolveMs(row: Pick<RegisterRow, 'declaredAt' | 'resolvedAt' | 'nearMiss'>): number | null {
  return row.resolvedAt && !row.nearMiss ? row.resolvedAt.getTime() - row.declaredAt.getTime() : null;
}

/** The CSV's name: incidents-2026-09-01-to-2026-11-30.csv. */
export function registerCsvFilename(filter: Pick<RegisterFilter, 'from' | 'to'>): string {
  return `incidents-${filter.from}-to-${filter.to}.csv`;
}

const DAY_MS = 86_400_000;
const pad2 = (n: number) => String(n).padStart(2, '0');

/** The zone's offset (local wall time minus UTC, ms) at `ms`, read from the format's parts. */
function offsetAt(f: Intl.DateTimeFormat, ms: number): number {
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) p[part.type] = part.value;
  const local = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return local - Math.floor(ms / 1000) * 1000;
}

/**
 * A formatter of times as `2026-11-03 09:00` in `timeZone`: sortable in a spreadsheet, the zone named
 * in the column's heading. The zone's offset is read from Intl once per UTC day (and per time on a
 * day when it changes): 10,000 rows of three times each cost a few milliseconds rather than the
 * tenth of a second Intl takes to format every one.
 */
export function csvTimes(timeZone: string): (at: Date) => string {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const days = new Map<number, number | null>();
  return (at) => {
    const ms = at.getTime();
    const day = Math.floor(ms / DAY_MS);
    let offset = days.get(day);
    if (offset === undefined) {
      const first = offsetAt(f, day * DAY_MS);
      offset = first === offsetAt(f, (day + 1) * DAY_MS - 1000) ? first : null;
      days.set(day, offset);
    }
    const d = new Date(ms + (offset ?? offsetAt(f, ms)));
    return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  };
}

/** One time as csvTimes writes it. */
export function csvTime(at: Date, timeZone: string): string {
  return csvTimes(timeZone)(at);
}

const csvHeader = (timeZone: string) => [
  'Reference',
  'Title',
  'Severity',
  'Status',
  'Service',
  'Owning team',
  'Commander',
  `Declared (${timeZone})`,
  `Resolved (${timeZone})`,
  `Closed (${timeZone})`,
  'Time to resolve',
  'Time to resolve (minutes)',
  'Near miss',
  'Private',
  'Clinical impact',
  'Data breach',
  'Exercise (drill)',
];

/**
 * The rows as RFC 4180 CSV (a header row, CRLF line ends): times in `timeZone` (csvTimes), named in the headings,
 * yes/no for the marks, every text field defused against spreadsheet formulas (csvText). When
 * `total` is more than the rows, a last line says how many were left out.
 */
export function registerCsv(rows: readonly RegisterRow[], opts: { timeZone: string; total: number }): string {
  const time = csvTimes(opts.timeZone);
  const when = (d: Date | null) => (d ? time(d) : '');
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [csvHeader(opts.timeZone).map(csvText).join(',')];
  for (const r of rows) {
    const ttr = timeToResolveMs(r);
    lines.push(
      [
        incidentRef(r),
        csvText(r.title),
        r.severity,
        STATUS_LABELS[r.status],
        csvText(r.affectedService ?? ''),
        csvText(r.serviceOwner ?? ''),
        csvText(r.commanderId),
        when(r.declaredAt),
        when(r.resolvedAt),
        when(r.closedAt),
        ttr === null ? '' : formatDuration(ttr),
        ttr === null ? '' : String(Math.round(ttr / 60_000)),
        yes(r.nearMiss),
        yes(r.isPrivate),
        yes(r.clinicalImpact),
        yes(r.dataBreach),
        yes(r.drill),
      ].join(','),
    );
  }
  if (opts.total > rows.length)
    lines.push(
      csvText(
        `Only the first ${rows.length.toLocaleString('en-GB')} of ${opts.total.toLocaleString('en-GB')} incidents are here: narrow the filters for the rest.`,
      ),
    );
  return `${lines.join('\r\n')}\r\n`;
}
