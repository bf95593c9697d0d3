// Action items as GitHub issues, through the GitHub App (src/github/client.ts: its Octokit, timeout
// and JWT): the App's installation on the repository is looked up (no webhook names one here), and
// each call gets an installation token narrowed to that one repository and `issues: write`. GitHub
// has no due date: it lives in the issue's body, on its `Due: YYYY-MM-DD` line. People are matched
// Slack email <-> GitHub login through the organisation's SAML identities or verified-domain emails
// (GraphQL), when the App may read them, else the catalog's Users (`github.com/user-login`). An issue
// GitHub answers 404 or 410 for, or that now lives in another repository (transferred), is gone
// (TrackerIssueGone).
import { z } from 'zod';
import type { CatalogSnapshot } from '../domain/catalog.ts';
import { TRACKER_LABEL, type TrackerIssue, type TrackerIssueDraft, type TrackerUser } from '../domain/trackers.ts';
import { isCalendarDay } from '../domain/time.ts';
import { GitHubAppClient } from '../github/client.ts';
import type { Logger } from '../logger.ts';
import { type IssueTracker, type IssueUpdate, TrackerIssueGone, TrackerUnavailable } from '../ports/issue-tracker.ts';

/** Issues read per page when finding one by its marker, and pages at most (the newest first). */
export const FIND_PER_PAGE = 100;
export const MAX_FIND_PAGES = 3;
/** Pages of 100 read at most of the organisation's SAML identities, and of its members. */
export const MAX_DIRECTORY_PAGES = 10;
/** A comment's length at most (GitHub takes 65,536 characters). */
export const MAX_COMMENT_CHARS = 65_000;
/** How long the organisation's email <-> login directory is kept (a failure to read it: a quarter of that). */
export const DIRECTORY_TTL_MS = 3600_000;

/** What an issue's token may do: issues, and the metadata GitHub grants with them. */
const ISSUE_PERMISSIONS = { issues: 'write', metadata: 'read' } as const;
/** What reading the organisation's people needs (SAML identities and verified-domain emails). */
const MEMBER_PERMISSIONS = { members: 'read' } as const;

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** `owner/repo`, or null for anything else (`.` and `..` refused: the parts become URL path segments). */
export function repositoryOf(target: string): { owner: string; repo: string } | null {
  const [owner, repo, ...rest] = target.trim().split('/');
  if (rest.length || !owner || !repo || !NAME.test(owner) || !NAME.test(repo)) return null;
  if (owner === '.' || owner === '..' || repo === '.' || repo === '..') return null;
  return { owner, repo };
}

/**
 * A line that starts `Due:` and what follows on it, up to the line's end. Linear: the class stops at
 * any line terminator, where `$` (multiline) matches at once, so nothing is ever backtracked.
 */
const DUE_LINE = /^Due:([^\r\n\u2028\u2029]*)$/m;
/** GitHub's longest issue body, in characters. */
export const MAX_ISSUE_BODY_CHARS = 65_536;

/**
 * The due date an issue's body says (its first `Due:` line): the date, null for no line or `Due: none`
 * (or empty), undefined when the line says something else (not a date the bot can take).
 */
export function dueInBody(body: string | null | undefined): string | null | undefined {
  const m = DUE_LINE.exec(body ?? '');
  if (!m) return null;
  const value = m[1]!.trim();
  if (value === '' || value.toLowerCase() === 'none') return null;
  return isCalendarDay(value) ? value : undefined;
}

/** The body with its `Due:` line saying `due` (`none` for null); added before the marker or at the end when it has none. */
export function withDue(body: string | null | undefined, due: string | null): string {
  const line = `Due: ${due ?? 'none'}`;
  const text = body ?? '';
  if (DUE_LINE.test(text)) return text.replace(DUE_LINE, line);
  const marker = text.search(/^<!-- incident-bot:action-item:/m);
  if (marker >= 0) return `${text.slice(0, marker)}${line}\n${text.slice(marker)}`;
  return text ? `${text.trimEnd()}\n\n${line}` : line;
}

/** Whether `body` carries `marker` (and not merely a longer marker it begins). */
export function hasMarker(body: string | null | undefined, marker: string): boolean {
  if (!body || !marker) return false;
  let at = body.indexOf(marker);
  while (at >= 0) {
    const next = body[at + marker.length];
    if (next === undefined || !/[A-Za-z0-9_-]/.test(next)) return true;
    at = body.indexOf(marker, at + 1);
  }
  return false;
}

const webUrl = z
  .string()
  .max(2000)
  .refine((s) => /^https?:\/\/[^\s]+$/.test(s), 'not an http(s) URL');
const issueAnswer = z.object({ number: z.number().int().positive(), html_url: webUrl });
const listedIssue = issueAnswer.extend({
  body: z.string().nullish(),
  pull_request: z.unknown().optional(),
});
/** The issue read before its body is written back: its number, so nothing else's body is ever taken for it. */
const issueBody = z.object({ number: z.number().int().positive(), body: z.string().nullish() });
/** Where an answer says the issue (or comment) lives: its API repository URL, its web URL, its issue's API URL. */
const whereAnswer = z.object({
  repository_url: z.string().max(2000).optional(),
  html_url: z.string().max(2000).optional(),
  issue_url: z.string().max(2000).optional(),
});

/**
 * The repositories (`owner/repo`, lower-cased) an answer about an issue names, from its
 * `repository_url` (`…/repos/{owner}/{repo}`), `issue_url` (a comment's: `…/repos/{owner}/{repo}/issues/{n}`)
 * and `html_url` (`…/{owner}/{repo}/issues/{n}`, a comment's `#issuecomment-…` too); empty when it names none.
 */
export function answeredRepositories(data: unknown): string[] {
  const parsed = whereAnswer.safeParse(data);
  if (!parsed.success) return [];
  const found: string[] = [];
  const path = (url: string | undefined) => {
    if (!url) return null;
    try {
      return new URL(url).pathname;
    } catch {
      return null;
    }
  };
  const api = path(parsed.data.repository_url);
  const apiMatch = api && /\/repos\/([^/]+)\/([^/]+)\/?$/.exec(api);
  if (apiMatch) found.push(`${apiMatch[1]}/${apiMatch[2]}`.toLowerCase());
  const issueApi = path(parsed.data.issue_url);
  const issueApiMatch = issueApi && /\/repos\/([^/]+)\/([^/]+)\/issues\/\d+\/?$/.exec(issueApi);
  if (issueApiMatch) found.push(`${issueApiMatch[1]}/${issueApiMatch[2]}`.toLowerCase());
  const web = path(parsed.data.html_url);
  const webMatch = web && /\/([^/]+)\/([^/]+)\/(?:issues|pull)\/\d+\/?$/.exec(web);
  if (webMatch) found.push(`${webMatch[1]}/${webMatch[2]}`.toLowerCase());
  return found;
}

const pageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() });
const samlAnswer = z.object({
  organization: z
    .object({
      samlIdentityProvider: z
        .object({
          externalIdentities: z.object({
            nodes: z.array(
              z
                .object({
                  samlIdentity: z.object({ nameId: z.string().max(500).nullish() }).nullish(),
                  user: z.object({ login: z.string().min(1).max(100) }).nullish(),
                })
                .nullable(),
            ),
            pageInfo,
          }),
        })
        .nullish(),
    })
    .nullish(),
});
const membersAnswer = z.object({
  organization: z
    .object({
      membersWithRole: z.object({
        nodes: z.array(
          z
            .object({
              login: z.string().min(1).max(100),
              organizationVerifiedDomainEmails: z.array(z.string().max(500)).nullish(),
            })
            .nullable(),
        ),
        pageInfo,
      }),
    })
    .nullish(),
});

const SAML_QUERY = `query ($org: String!, $after: String) {
  organization(login: $org) {
    samlIdentityProvider {
      externalIdentities(first: 100, after: $after) {
        nodes { samlIdentity { nameId } user { login } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;
const MEMBERS_QUERY = `query ($org: String!, $after: String) {
  organization(login: $org) {
    membersWithRole(first: 100, after: $after) {
      nodes { login organizationVerifiedDomainEmails(login: $org) }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

/** An organisation's people: lower-cased email -> login, and lower-cased login -> email. */
interface Directory {
  byEmail: Map<string, string>;
  byLogin: Map<string, string>;
  at: number;
  ok: boolean;
}

const fold = (s: string) => s.trim().toLowerCase();
const looksLikeEmail = (s: string) => /^[^\s@]{1,200}@[^\s@]{1,200}$/.test(s.trim());

/** The HTTP status of a failed call, when GitHub answered (Octokit's RequestError carries the response). */
function answeredStatus(err: unknown): number | null {
  const e = err as { status?: unknown; response?: unknown };
  return e && typeof e.status === 'number' && e.response !== undefined ? e.status : null;
}

/** Why a call failed, in a few words: GitHub's status, no answer in time, GraphQL's errors, or the message. */
function why(err: unknown): string {
  const status = answeredStatus(err);
  if (status !== null) return `HTTP ${status}`;
  const name = (err as { name?: unknown })?.name;
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 200);
  if (name === 'TimeoutError' || /timeout|timed out|aborted/i.test(message)) return 'no answer in time';
  if (name === 'GraphqlResponseError') return `GraphQL: ${message}`;
  if (name === 'ZodError') return 'an unexpected answer';
  if (name === 'HttpError' || name === 'RequestError') return `no answer: ${message}`;
  return message;
}

export interface GitHubIssuesOptions {
  app: GitHubAppClient;
  /** The service catalog as now (its Users' `github.com/user-login`). */
  catalog: () => CatalogSnapshot;
  logger: Logger;
  /** Milliseconds now (tests move it). */
  now?: () => number;
}

export class GitHubIssues implements IssueTracker {
  readonly kind = 'github' as const;
  private readonly app: GitHubAppClient;
  private readonly catalog: () => CatalogSnapshot;
  private readonly logger: Logger;
  private readonly now: () => number;
  /** Per organisation (lower-cased): its directory, being read or read (callers at the same time share one read). */
  private readonly directories = new Map<string, Promise<Directory>>();
  private self: string | null = null;

  constructor(opts: GitHubIssuesOptions) {
    this.app = opts.app;
    this.catalog = opts.catalog;
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
  }

  private repository(target: string): { owner: string; repo: string } {
    const r = repositoryOf(target);
    if (!r) throw new TrackerUnavailable(`not a GitHub repository (owner/repo): ${target.slice(0, 200)}`);
    return r;
  }

  private static issueNumber(issue: TrackerIssue): number {
    if (!/^[1-9][0-9]{0,9}$/.test(issue.id))
      throw new TrackerUnavailable(`not a GitHub issue number: ${issue.id.slice(0, 50)}`);
    return Number(issue.id);
  }

  /** An installation token for the repository with `permissions`; a failure says so (TrackerUnavailable). */
  private async token(
    owner: string,
    repo: string,
    permissions: Record<string, 'read' | 'write'> = ISSUE_PERMISSIONS,
  ): Promise<string> {
    try {
      return await this.app.repositoryToken(owner, repo, permissions);
    } catch (err) {
      const status = answeredStatus(err);
      throw new TrackerUnavailable(
        status === 404
          ? `the GitHub App is not installed on ${owner}/${repo} (HTTP 404)`
          : `GitHub refused the App a token for ${owner}/${repo} (${why(err)})`,
        err,
      );
    }
  }

  /** Runs `fn`, any failure a TrackerUnavailable saying what was being done and GitHub's status. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TrackerUnavailable) throw err;
      throw new TrackerUnavailable(`GitHub: ${what} failed (${why(err)})`, err);
    }
  }

  async create(target: string, draft: TrackerIssueDraft): Promise<TrackerIssue> {
    const { owner, repo } = this.repository(target);
    return this.call(`opening an issue in ${owner}/${repo}`, async () => {
      const token = await this.token(owner, repo);
      const post = (assignees: string[]) =>
        this.app.api.request('POST /repos/{owner}/{repo}/issues', {
          owner,
          repo,
          title: draft.title.slice(0, 256),
          body: draft.body,
          labels: draft.labels,
          ...(assignees.length ? { assignees } : {}),
          headers: { authorization: `token ${token}` },
        });
      const assignees = draft.assignee ? [draft.assignee.id] : [];
      let res: Awaited<ReturnType<typeof post>>;
      try {
        res = await post(assignees);
      } catch (err) {
        // GitHub refuses the whole issue (422, nothing made) for an assignee it cannot take: open it unassigned.
        if (!(assignees.length && answeredStatus(err) === 422)) throw err;
        this.logger.warn(
          { target, assignee: assignees[0] },
          'GitHub refused the assignee of a new issue (HTTP 422): opened unassigned',
        );
        res = await post([]);
      }
      const parsed = issueAnswer.safeParse(res.data);
      if (!parsed.success) throw new TrackerUnavailable('GitHub answered the new issue with something unexpected');
      return {
        id: String(parsed.data.number),
        key: `${owner}/${repo}#${parsed.data.number}`,
        url: parsed.data.html_url,
      };
    });
  }

  async findByMarker(target: string, marker: string, since: Date): Promise<TrackerIssue | null> {
    const { owner, repo } = this.repository(target);
    return this.call(`looking for an issue in ${owner}/${repo}`, async () => {
      const token = await this.token(owner, repo);
      const creator = await this.selfLogin();
      for (let page = 1; page <= MAX_FIND_PAGES; page++) {
        const res = await this.app.api.request('GET /repos/{owner}/{repo}/issues', {
          owner,
          repo,
          labels: TRACKER_LABEL,
          state: 'all',
          since: since.toISOString(),
          ...(creator ? { creator } : {}),
          sort: 'created',
          direction: 'desc',
          per_page: FIND_PER_PAGE,
          page,
          headers: { authorization: `token ${token}` },
        });
        const parsed = z.array(listedIssue).safeParse(res.data);
        if (!parsed.success) throw new TrackerUnavailable('GitHub answered the issue list with something unexpected');
        const found = parsed.data.find((i) => i.pull_request === undefined && hasMarker(i.body, marker));
        if (found) return { id: String(found.number), key: `${owner}/${repo}#${found.number}`, url: found.html_url };
        if (parsed.data.length < FIND_PER_PAGE) break;
      }
      return null;
    });
  }

  async update(target: string, issue: TrackerIssue, update: IssueUpdate): Promise<void> {
    const { owner, repo } = this.repository(target);
    const issue_number = GitHubIssues.issueNumber(issue);
    const where = `${owner}/${repo}#${issue_number}`;
    /** The answer about the issue, checked: one that names another repository is the issue transferred (gone). */
    const here = (data: unknown) => {
      const elsewhere = answeredRepositories(data).find((r) => r !== `${owner}/${repo}`.toLowerCase());
      if (elsewhere) throw new TrackerIssueGone(`GitHub: ${where} is gone (it is now in ${elsewhere.slice(0, 200)})`);
      return data;
    };
    await this.call(`updating ${where}`, async () => {
      const change: {
        state?: 'open' | 'closed';
        state_reason?: 'completed' | 'reopened';
        assignees?: string[];
        body?: string;
      } = {};
      if (update.state === 'closed') Object.assign(change, { state: 'closed', state_reason: 'completed' });
      if (update.state === 'open') Object.assign(change, { state: 'open', state_reason: 'reopened' });
      if (update.assignee !== undefined) change.assignees = update.assignee ? [update.assignee.id] : [];
      const comment = update.comment?.trim().slice(0, MAX_COMMENT_CHARS);
      if (!Object.keys(change).length && update.due === undefined && !comment) return;
      // The installation's 404 (the App, not the issue) is a TrackerUnavailable from token().
      const token = await this.token(owner, repo);
      const headers = { authorization: `token ${token}` };
      try {
        if (update.due !== undefined) {
          const res = await this.app.api.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
            owner,
            repo,
            issue_number,
            headers,
          });
          const parsed = issueBody.safeParse(here(res.data));
          if (!parsed.success || parsed.data.number !== issue_number)
            throw new TrackerUnavailable(`GitHub answered ${where} with something unexpected`);
          const body = withDue(parsed.data.body, update.due);
          if (body !== (parsed.data.body ?? '')) change.body = body;
        }
        if (Object.keys(change).length) {
          const res = await this.app.api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
            owner,
            repo,
            issue_number,
            ...change,
            headers,
          });
          here(res.data);
        }
        if (comment) {
          // Not followed: a POST sent on by a 301 becomes a GET (fetch), and the comment would be lost unsaid.
          const res = await this.app.api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
            owner,
            repo,
            issue_number,
            body: comment,
            headers,
            request: { redirect: 'manual' },
          });
          const status: number = res.status;
          if (status >= 300 && status < 400)
            throw new TrackerIssueGone(`GitHub: ${where} is gone (HTTP ${status}: moved elsewhere)`);
          here(res.data);
        }
      } catch (err) {
        const status = answeredStatus(err);
        // Deleted (410), or gone from where it was (404: deleted, transferred out of the token's reach).
        if (status === 404 || status === 410)
          throw new TrackerIssueGone(`GitHub: ${where} is gone (HTTP ${status})`, err);
        throw err;
      }
    });
  }

  async userByEmail(target: string, email: string): Promise<TrackerUser | null> {
    const { owner, repo } = this.repository(target);
    const wanted = fold(email);
    if (!wanted) return null;
    // The organisation's directory first (SAML, verified-domain emails); the catalog when it cannot say.
    const login = (await this.directory(owner, repo)).byEmail.get(wanted);
    if (login) return { id: login, name: login, email: email.trim() };
    const person = this.catalog().users.find((u) => u.email && u.githubLogin && fold(u.email) === wanted);
    return person?.githubLogin ? { id: person.githubLogin, name: person.githubLogin, email: person.email } : null;
  }

  async emailOf(target: string, user: TrackerUser): Promise<string | null> {
    if (user.email) return user.email;
    const { owner, repo } = this.repository(target);
    const login = fold(user.id);
    const known = (await this.directory(owner, repo)).byLogin.get(login);
    if (known) return known;
    const person = this.catalog().users.find((u) => u.email && u.githubLogin && fold(u.githubLogin) === login);
    return person?.email ?? null;
  }

  /** The App's bot user (`<slug>[bot]`), what GitHub names as the sender of the bot's own changes; null when GitHub cannot say. */
  selfId(): Promise<string | null> {
    return this.selfLogin();
  }

  async selfLogin(): Promise<string | null> {
    if (this.self) return this.self;
    try {
      this.self = `${await this.app.appSlug()}[bot]`;
      return this.self;
    } catch (err) {
      this.logger.warn({ err, reason: why(err) }, "the GitHub App's own login could not be read (GET /app)");
      return null;
    }
  }

  /**
   * The organisation's people (SAML identities, then verified-domain emails), read with a token for
   * the repository and `members: read`, kept DIRECTORY_TTL_MS per organisation. Never throws: what
   * cannot be read is logged and left out (the catalog answers instead).
   */
  private async directory(owner: string, repo: string): Promise<Directory> {
    const key = fold(owner);
    const now = this.now();
    const known = this.directories.get(key);
    if (known) {
      const dir = await known;
      if (now - dir.at < (dir.ok ? DIRECTORY_TTL_MS : DIRECTORY_TTL_MS / 4)) return dir;
      if (this.directories.get(key) !== known) return this.directory(owner, repo);
    }
    if (this.directories.size >= 100) this.directories.clear();
    const reading = this.readDirectory(owner, repo, now);
    this.directories.set(key, reading);
    return reading;
  }

  private async readDirectory(owner: string, repo: string, now: number): Promise<Directory> {
    const dir: Directory = { byEmail: new Map(), byLogin: new Map(), at: now, ok: true };
    const add = (email: string | null | undefined, login: string | null | undefined) => {
      if (!email || !login || !looksLikeEmail(email)) return;
      if (!dir.byEmail.has(fold(email))) dir.byEmail.set(fold(email), login);
      if (!dir.byLogin.has(fold(login))) dir.byLogin.set(fold(login), email.trim());
    };
    let token: string | null = null;
    try {
      token = await this.app.repositoryToken(owner, repo, MEMBER_PERMISSIONS);
    } catch (err) {
      dir.ok = false;
      this.logger.info(
        { owner, reason: why(err) },
        "GitHub: no token to read the organisation's people (Members: read): logins matched by the catalog only",
      );
    }
    if (token) {
      const headers = { authorization: `token ${token}` };
      try {
        let after: string | null = null;
        for (let page = 0; page < MAX_DIRECTORY_PAGES; page++) {
          const data = samlAnswer.parse(await this.app.api.graphql(SAML_QUERY, { org: owner, after, headers }));
          const identities = data.organization?.samlIdentityProvider?.externalIdentities;
          if (!identities) break;
          for (const n of identities.nodes) add(n?.samlIdentity?.nameId, n?.user?.login);
          if (!identities.pageInfo.hasNextPage || !identities.pageInfo.endCursor) break;
          after = identities.pageInfo.endCursor;
        }
      } catch (err) {
        dir.ok = false;
        this.logger.info({ owner, reason: why(err) }, "GitHub: the organisation's SAML identities could not be read");
      }
      try {
        let after: string | null = null;
        for (let page = 0; page < MAX_DIRECTORY_PAGES; page++) {
          const data = membersAnswer.parse(await this.app.api.graphql(MEMBERS_QUERY, { org: owner, after, headers }));
          const members = data.organization?.membersWithRole;
          if (!members) break;
          for (const n of members.nodes)
            for (const email of n?.organizationVerifiedDomainEmails ?? []) add(email, n?.login);
          if (!members.pageInfo.hasNextPage || !members.pageInfo.endCursor) break;
          after = members.pageInfo.endCursor;
        }
      } catch (err) {
        dir.ok = false;
        this.logger.info(
          { owner, reason: why(err) },
          "GitHub: the organisation members' verified-domain emails could not be read",
        );
      }
    }
    return dir;
  }
}

/**
 * The GitHub Issues tracker when the GitHub App is configured (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY),
 * else null. Pass the App client already made (the code host) to share its token cache.
 */
export function gitHubIssuesFromConfig(
  config: { GITHUB_APP_ID?: string | undefined; GITHUB_APP_PRIVATE_KEY?: string | undefined; GITHUB_API_URL: string },
  catalog: () => CatalogSnapshot,
  logger: Logger,
  app?: GitHubAppClient,
): GitHubIssues | null {
  if (!config.GITHUB_APP_ID || !config.GITHUB_APP_PRIVATE_KEY) return null;
  return new GitHubIssues({
    app:
      app ??
      new GitHubAppClient({
        appId: config.GITHUB_APP_ID,
        privateKey: config.GITHUB_APP_PRIVATE_KEY,
        apiUrl: config.GITHUB_API_URL,
      }),
    catalog,
    logger,
  });
}
