// Jira Cloud behind the IssueTracker port, through its REST API v3 with plain fetch: basic auth with
// an Atlassian account's email and API token, JSON, 10 seconds a call. Action items are issues in a
// project (the target is its key, `OPS`): opened with the `incident-action` label and a description
// in Atlassian Document Format ending with the item's marker, closed and reopened through the
// workflow's transitions, assigned by account id, re-dated through `duedate`.
import { z } from 'zod';
import type { Config } from '../config.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { TRACKER_LABEL, type TrackerIssue, type TrackerIssueDraft, type TrackerUser } from '../domain/trackers.ts';
import { type IssueTracker, type IssueUpdate, TrackerIssueGone, TrackerUnavailable } from '../ports/issue-tracker.ts';

/** How long one call to Jira may take. */
export const JIRA_TIMEOUT_MS = 10_000;
/** How long a user looked up (by email, or an email by account id) is remembered. */
const USER_CACHE_MS = 5 * 60_000;
const USER_CACHE_MAX = 1000;
/** findByMarker reads at most this many pages of this many issues. */
const SEARCH_PAGE = 50;
const SEARCH_PAGES = 4;

export interface JiraCloudOptions {
  /** https://your-site.atlassian.net (no trailing slash needed). */
  baseUrl: string;
  /** The Atlassian account the bot acts as. */
  email: string;
  apiToken: string;
  /** The issue type action items are opened as (JIRA_ISSUE_TYPE). */
  issueType: string;
  timeoutMs?: number;
  /** Says when a new issue had to be opened without its priority or assignee. */
  logger?: Logger;
  /** For tests. */
  now?: () => number;
}

/** Jira refused (an HTTP status), with what it said. */
export class JiraRefused extends TrackerUnavailable {
  readonly status: number;
  /** Jira's `errors`: a message per field. */
  readonly fieldErrors: Readonly<Record<string, string>>;

  constructor(message: string, status: number, fieldErrors: Readonly<Record<string, string>>) {
    super(message);
    this.name = 'JiraRefused';
    this.status = status;
    this.fieldErrors = fieldErrors;
  }
}

const errorBody = z
  .object({
    errorMessages: z.array(z.string()).optional(),
    errors: z.record(z.string(), z.unknown()).optional(),
    message: z.string().optional(),
  })
  .loose();

const createdIssue = z.object({ id: z.string().min(1), key: z.string().min(1) });

const statusCategory = z.object({ key: z.string() }).loose();

const transitions = z.object({
  transitions: z.array(
    z
      .object({
        id: z.string(),
        name: z.string().optional(),
        isAvailable: z.boolean().optional(),
        to: z.object({ name: z.string().optional(), statusCategory: statusCategory.optional() }).loose().optional(),
      })
      .loose(),
  ),
});

const issueStatus = z
  .object({
    fields: z
      .object({
        status: z.object({ statusCategory: statusCategory.optional() }).loose().nullish(),
        project: z.object({ key: z.string() }).loose().nullish(),
      })
      .loose()
      .optional(),
  })
  .loose();

const user = z
  .object({
    accountId: z.string().min(1),
    accountType: z.string().optional(),
    displayName: z.string().nullish(),
    emailAddress: z.string().nullish(),
    active: z.boolean().optional(),
  })
  .loose();

const searchResults = z
  .object({
    issues: z
      .array(
        z
          .object({
            id: z.string(),
            key: z.string(),
            fields: z.object({ description: z.unknown().optional() }).loose().optional(),
          })
          .loose(),
      )
      .default([]),
    nextPageToken: z.string().nullish(),
    isLast: z.boolean().optional(),
  })
  .loose();

// ---------------------------------------------------------------------------------------------
// What the issue says, in Jira's terms
// ---------------------------------------------------------------------------------------------

/** A Jira label for a draft's label: no spaces (Jira refuses them), `priority:high` → `priority-high`. */
export function jiraLabel(label: string): string {
  return label
    .trim()
    .replace(/[\s:]+/g, '-')
    .slice(0, 255);
}

/** Jira's default priority names. */
export const JIRA_PRIORITIES: Readonly<Record<TrackerIssueDraft['priority'], string>> = {
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

type AdfText = {
  type: 'text';
  text: string;
  marks?: ({ type: 'strong' } | { type: 'link'; attrs: { href: string } })[];
};
type AdfParagraph = { type: 'paragraph'; content: AdfText[] };
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfParagraph[];
}

/** One line of the draft's Markdown as ADF text: `**bold**` and bare http(s) links kept. */
function inline(line: string): AdfText[] {
  const out: AdfText[] = [];
  const parts = line.split(/(\*\*[^*]+\*\*)/);
  for (const part of parts) {
    if (!part) continue;
    if (/^\*\*[^*]+\*\*$/.test(part)) {
      out.push({ type: 'text', text: part.slice(2, -2), marks: [{ type: 'strong' }] });
      continue;
    }
    let last = 0;
    for (const m of part.matchAll(/https?:\/\/[^\s<>"]+/g)) {
      if (m.index > last) out.push({ type: 'text', text: part.slice(last, m.index) });
      out.push({ type: 'text', text: m[0], marks: [{ type: 'link', attrs: { href: m[0] } }] });
      last = m.index + m[0].length;
    }
    if (last < part.length) out.push({ type: 'text', text: part.slice(last) });
  }
  return out;
}

/**
 * The draft's body in Atlassian Document Format: a paragraph per non-empty line, the HTML comment
 * holding the marker (which Jira would show as text) left out, and the marker as the last paragraph
 * so that findByMarker can read it.
 */
export function adfDescription(body: string, marker: string): AdfDocument {
  const content: AdfParagraph[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.replace(/<!--[\s\S]*?-->/g, '').trim();
    if (line) content.push({ type: 'paragraph', content: inline(line) });
  }
  content.push({ type: 'paragraph', content: [{ type: 'text', text: marker }] });
  return { type: 'doc', version: 1, content };
}

/** Plain text as an ADF document: a paragraph a non-empty line. */
export function adfDocument(text: string): AdfDocument {
  const content: AdfParagraph[] = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => ({ type: 'paragraph', content: [{ type: 'text', text: l }] }));
  return { type: 'doc', version: 1, content };
}

/** Every text in an ADF document (or anything else: none). */
export function adfText(doc: unknown): string {
  const texts: string[] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth > 50 || typeof node !== 'object' || node === null) return;
    const n = node as { text?: unknown; content?: unknown };
    if (typeof n.text === 'string') texts.push(n.text);
    if (Array.isArray(n.content)) for (const c of n.content) walk(c, depth + 1);
  };
  walk(doc, 0);
  return texts.join('\n');
}

/** A JQL string literal. */
const jqlString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** `yyyy-MM-dd HH:mm` in UTC. */
const jqlDate = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

// ---------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------

type Query = Record<string, string | number | boolean>;

class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(ttlMs: number, now: () => number) {
    this.ttlMs = ttlMs;
    this.now = now;
  }
  get(key: string): { value: V } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return { value: e.value };
  }
  set(key: string, value: V): void {
    if (this.entries.size >= USER_CACHE_MAX) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }
}

export class JiraCloud implements IssueTracker {
  readonly kind = 'jira' as const;
  private readonly base: string;
  private readonly auth: string;
  private readonly token: string;
  private readonly issueType: string;
  private readonly timeoutMs: number;
  private readonly usersByEmail: TtlCache<TrackerUser | null>;
  private readonly emails: TtlCache<string | null>;
  private self: Promise<string | null> | null = null;
  private readonly logger: Logger;

  constructor(opts: JiraCloudOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.apiToken;
    this.auth = `Basic ${Buffer.from(`${opts.email}:${opts.apiToken}`).toString('base64')}`;
    this.issueType = opts.issueType;
    this.timeoutMs = opts.timeoutMs ?? JIRA_TIMEOUT_MS;
    this.logger = opts.logger ?? silentLogger;
    const now = opts.now ?? Date.now;
    this.usersByEmail = new TtlCache(USER_CACHE_MS, now);
    this.emails = new TtlCache(USER_CACHE_MS, now);
  }

  /** An issue's page in Jira. */
  browseUrl(key: string): string {
    return `${this.base}/browse/${encodeURIComponent(key)}`;
  }

  async create(target: string, draft: TrackerIssueDraft): Promise<TrackerIssue> {
    const fields: Record<string, unknown> = {
      project: { key: target },
      issuetype: { name: this.issueType },
      summary: clip(draft.title.replace(/[\r\n]+/g, ' '), 255),
      description: adfDescription(draft.body, draft.marker),
      labels: [...new Set(draft.labels.map(jiraLabel).filter(Boolean))],
      priority: { name: JIRA_PRIORITIES[draft.priority] },
    };
    if (draft.due) fields.duedate = draft.due;
    if (draft.assignee) fields.assignee = { accountId: draft.assignee.id };
    const what = `opening an issue in ${target}`;
    let answer: unknown;
    for (;;) {
      try {
        answer = await this.call('POST', '/rest/api/3/issue', what, { body: { fields } });
        break;
      } catch (err) {
        // A project whose create screen lacks Priority refuses the field, and Jira refuses an
        // assignee who may not be assigned in the project: open the issue without them.
        const refused = err instanceof JiraRefused && err.status === 400 ? err.fieldErrors : {};
        const drop = (['priority', 'assignee'] as const).find((f) => f in refused && f in fields);
        if (!drop) throw err;
        delete fields[drop];
        this.logger.info(
          { target, field: drop, jira: refused[drop] },
          `Jira refused the ${drop} of a new issue in ${target}: opened without it`,
        );
      }
    }
    const created = this.parse(createdIssue, answer, what);
    return { id: created.id, key: created.key, url: this.browseUrl(created.key) };
  }

  async findByMarker(target: string, marker: string, since: Date): Promise<TrackerIssue | null> {
    // JQL reads dates in the searching account's time zone: a day's margin either way covers any.
    const from = new Date(since.getTime() - 24 * 3600_000);
    const jql = `project = ${jqlString(target)} AND labels = ${jqlString(TRACKER_LABEL)} AND created >= ${jqlString(jqlDate(from))} ORDER BY created DESC`;
    const what = `looking for the issue of ${marker} in ${target}`;
    let nextPageToken: string | undefined;
    for (let page = 0; page < SEARCH_PAGES; page++) {
      const body: Record<string, unknown> = { jql, fields: ['summary', 'description'], maxResults: SEARCH_PAGE };
      if (nextPageToken) body.nextPageToken = nextPageToken;
      const results = this.parse(
        searchResults,
        await this.call('POST', '/rest/api/3/search/jql', what, { body }),
        what,
      );
      const found = results.issues.find((i) => adfText(i.fields?.description).split('\n').includes(marker));
      if (found) return { id: found.id, key: found.key, url: this.browseUrl(found.key) };
      if (results.isLast !== false || !results.nextPageToken) return null;
      nextPageToken = results.nextPageToken;
    }
    return null;
  }

  async update(target: string, issue: TrackerIssue, update: IssueUpdate): Promise<void> {
    const id = encodeURIComponent(issue.id);
    if (update.due !== undefined)
      await this.call('PUT', `/rest/api/3/issue/${id}`, `re-dating ${issue.key}`, {
        body: { fields: { duedate: update.due } },
        issue: true,
      });
    if (update.assignee !== undefined)
      await this.call('PUT', `/rest/api/3/issue/${id}/assignee`, `assigning ${issue.key}`, {
        body: { accountId: update.assignee?.id ?? null },
        issue: true,
      });
    if (update.state) await this.transition(target, issue, update.state);
    // Last: a failure before it retries the whole update, and a comment must not be added twice.
    if (update.comment)
      await this.call('POST', `/rest/api/3/issue/${id}/comment`, `commenting on ${issue.key}`, {
        body: { body: adfDocument(update.comment) },
        issue: true,
      });
  }

  /** Moves the issue to a status of the wanted category through the workflow, unless it is in one already. */
  private async transition(target: string, issue: TrackerIssue, state: 'open' | 'closed'): Promise<void> {
    const id = encodeURIComponent(issue.id);
    const what = `${state === 'closed' ? 'closing' : 'reopening'} ${issue.key}`;
    const fields = this.parse(
      issueStatus,
      await this.call('GET', `/rest/api/3/issue/${id}`, what, { query: { fields: 'status,project' }, issue: true }),
      what,
    ).fields;
    // Moved to another project (a move keeps the id): not ours to change any more.
    const project = fields?.project?.key;
    if (project && project.toUpperCase() !== target.toUpperCase())
      throw new TrackerIssueGone(`Jira: ${what}: the issue was moved from ${target} to ${project}`);
    const current = fields?.status?.statusCategory?.key;
    if (current && (current === 'done') === (state === 'closed')) return;
    const available = this.parse(
      transitions,
      await this.call('GET', `/rest/api/3/issue/${id}/transitions`, what, { issue: true }),
      what,
    ).transitions.filter((t) => t.isAvailable !== false);
    const pick = pickTransition(available, state);
    if (!pick)
      throw new TrackerUnavailable(
        `Jira: ${what} in ${target}: its workflow has no transition from its status to a ${state === 'closed' ? 'Done' : 'To Do or In Progress'} status (${available.map((t) => t.name ?? t.id).join(', ') || 'none available'})`,
      );
    await this.call('POST', `/rest/api/3/issue/${id}/transitions`, what, {
      body: { transition: { id: pick.id } },
      issue: true,
    });
  }

  async userByEmail(_target: string, email: string): Promise<TrackerUser | null> {
    const key = email.trim().toLowerCase();
    const cached = this.usersByEmail.get(key);
    if (cached) return cached.value;
    const what = 'looking for a Jira user by email';
    const found = this.parse(
      z.array(user),
      await this.call('GET', '/rest/api/3/user/search', what, { query: { query: email.trim(), maxResults: 10 } }),
      what,
    ).filter((u) => u.active !== false && (u.accountType ?? 'atlassian') === 'atlassian');
    // Only an email Jira shows counts. The search also matches names, and Jira hides the emails of
    // people who chose so: one person found for an address is not proof they own it (anyone can be
    // called `victim@corp.com`), so people who hide their email are not matched.
    const hit = found.find((u) => u.emailAddress?.trim().toLowerCase() === key);
    const result: TrackerUser | null = hit?.emailAddress
      ? { id: hit.accountId, name: hit.displayName || hit.accountId, email: hit.emailAddress }
      : null;
    this.usersByEmail.set(key, result);
    if (result?.email) this.emails.set(result.id, result.email);
    return result;
  }

  async emailOf(_target: string, person: TrackerUser): Promise<string | null> {
    if (person.email) return person.email;
    const cached = this.emails.get(person.id);
    if (cached) return cached.value;
    const what = 'reading a Jira user';
    let answer: unknown;
    try {
      answer = await this.call('GET', '/rest/api/3/user', what, { query: { accountId: person.id } });
    } catch (err) {
      // No such account (deleted): no email, rather than an outage.
      if (err instanceof JiraRefused && err.status === 404) {
        this.emails.set(person.id, null);
        return null;
      }
      throw err;
    }
    const email = this.parse(user, answer, what).emailAddress || null;
    this.emails.set(person.id, email);
    return email;
  }

  /** IssueTracker.selfId: the bot's Jira account id (selfAccountId). */
  selfId(): Promise<string | null> {
    return this.selfAccountId();
  }

  /** The account id the bot acts as (GET /myself), asked once: a webhook by it is our own change echoed. */
  selfAccountId(): Promise<string | null> {
    this.self ??= this.call('GET', '/rest/api/3/myself', 'reading the bot’s own Jira account')
      .then((answer) => this.parse(user, answer, 'reading the bot’s own Jira account').accountId)
      .catch((err: unknown) => {
        this.self = null;
        throw err;
      });
    return this.self;
  }

  private parse<T>(schema: z.ZodType<T>, answer: unknown, what: string): T {
    const r = schema.safeParse(answer);
    if (r.success) return r.data;
    const first = r.error.issues[0];
    throw new TrackerUnavailable(
      `Jira: ${what}: unexpected answer${first ? ` (${first.path.join('.') || '/'}: ${first.message})` : ''}`,
    );
  }

  /**
   * One call: the JSON answer (null for none), or TrackerUnavailable saying what failed. With
   * `issue` (a call on an existing issue), 404 and 410 are TrackerIssueGone (wrapping the JiraRefused).
   */
  private async call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    what: string,
    opts: { query?: Query; body?: unknown; issue?: boolean } = {},
  ): Promise<unknown> {
    const url = new URL(`${this.base}${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: this.auth,
          accept: 'application/json',
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
      text = await res.text();
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      const why =
        e.name === 'TimeoutError'
          ? `no answer within ${Math.round(this.timeoutMs / 1000)} s`
          : (e.cause?.code ?? e.cause?.message ?? e.message ?? 'unreachable');
      throw new TrackerUnavailable(this.scrub(`Jira: ${what}: ${method} ${path}: ${why}`));
    }
    if (!res.ok) {
      let said = '';
      let fieldErrors: Record<string, string> = {};
      try {
        const body = errorBody.safeParse(JSON.parse(text));
        if (body.success) {
          fieldErrors = Object.fromEntries(
            Object.entries(body.data.errors ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
          );
          said =
            body.data.errorMessages?.find((m) => m.trim()) ??
            Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v}`)[0] ??
            body.data.message ??
            '';
        }
      } catch {
        // not JSON: the status says enough
      }
      const line = said.split('\n')[0]!.trim().slice(0, 300);
      const refused = new JiraRefused(
        this.scrub(`Jira: ${what}: ${method} ${path}: HTTP ${res.status}${line ? `: ${line}` : ''}`),
        res.status,
        fieldErrors,
      );
      if (opts.issue && (res.status === 404 || res.status === 410))
        throw new TrackerIssueGone(`${refused.message} (the issue is gone)`, refused);
      throw refused;
    }
    if (!text.trim()) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TrackerUnavailable(`Jira: ${what}: ${method} ${path}: the answer is not JSON`);
    }
  }

  /** Never the token in a message, whatever Jira echoes back. */
  private scrub(message: string): string {
    return this.token ? message.split(this.token).join('[token]') : message;
  }
}

/**
 * The transition to take: to a status of category `done` to close; to `new` (To Do), else
 * `indeterminate` (In Progress), to reopen.
 */
export function pickTransition<T extends { to?: { statusCategory?: { key: string } } }>(
  available: readonly T[],
  state: 'open' | 'closed',
): T | undefined {
  const to = (key: string) => available.find((t) => t.to?.statusCategory?.key === key);
  return state === 'closed' ? to('done') : (to('new') ?? to('indeterminate'));
}

/** Jira Cloud when JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN are set, else null. */
export function jiraFromConfig(
  config: Pick<Config, 'JIRA_BASE_URL' | 'JIRA_EMAIL' | 'JIRA_API_TOKEN' | 'JIRA_ISSUE_TYPE'>,
  logger?: Logger,
): JiraCloud | null {
  if (!config.JIRA_BASE_URL || !config.JIRA_EMAIL || !config.JIRA_API_TOKEN) return null;
  return new JiraCloud({
    baseUrl: config.JIRA_BASE_URL,
    email: config.JIRA_EMAIL,
    apiToken: config.JIRA_API_TOKEN,
    issueType: config.JIRA_ISSUE_TYPE,
    logger,
  });
}
