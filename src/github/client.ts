// GitHub as a GitHub App (@octokit/core, @octokit/auth-app): an installation token per call (cached
// by auth-app, narrowed to the repository and the permission the call needs), the approving reviews
// of a pull request, and the answer to a deployment protection rule.
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/core';
import { z } from 'zod';
import type { Approval, CodeHost } from '../ports/code-host.ts';
import { CodeHostUnavailable } from '../ports/code-host.ts';

/** Reviews read per pull request at most (100 a page): a pull request with more is read in part. */
export const MAX_REVIEW_PAGES = 5;
const PER_PAGE = 100;
const TIMEOUT_MS = 10_000;

const review = z.object({
  user: z.object({ login: z.string().min(1).max(100) }).nullable(),
  state: z.string().max(50),
  submitted_at: z.iso.datetime({ offset: true }).nullish(),
});
const reviews = z.array(review);

/**
 * The approvals among a pull request's reviews (oldest first, as GitHub lists them): each reviewer's
 * latest review that decides (approved, changes requested, dismissed; a comment decides nothing),
 * kept when it approves. Pure.
 */
export function latestApprovals(list: readonly z.output<typeof review>[]): Approval[] {
  const latest = new Map<string, { state: string; at: Date | null }>();
  for (const r of list) {
    if (!r.user || !['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(r.state)) continue;
    latest.set(r.user.login, { state: r.state, at: r.submitted_at ? new Date(r.submitted_at) : null });
  }
  return [...latest].filter(([, r]) => r.state === 'APPROVED').map(([login, r]) => ({ login, at: r.at }));
}

const SLUG = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/;

/**
 * The repository and run of a deployment protection rule's callback URL, when it is GitHub's
 * `POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule` on `apiUrl` (same
 * origin and base path; no credentials, query or fragment); null for any other URL: the bot never
 * posts to a URL a webhook named unless it is that one (SSRF).
 */
export function deploymentCallbackOf(
  callbackUrl: string,
  apiUrl: string,
): { owner: string; repo: string; runId: number } | null {
  let url: URL;
  let api: URL;
  try {
    url = new URL(callbackUrl);
    api = new URL(apiUrl);
  } catch {
    return null;
  }
  if (url.origin !== api.origin || url.username || url.password || url.search || url.hash) return null;
  const base = api.pathname.replace(/\/+$/, '');
  if (!url.pathname.startsWith(`${base}/`)) return null;
  const m =
    /^\/repos\/([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})\/actions\/runs\/(\d{1,19})\/deployment_protection_rule$/.exec(
      url.pathname.slice(base.length),
    );
  if (!m || m[1] === '.' || m[1] === '..' || m[2] === '.' || m[2] === '..') return null;
  const runId = Number(m[3]);
  if (!Number.isSafeInteger(runId) || runId <= 0) return null;
  return { owner: m[1]!, repo: m[2]!, runId };
}

/**
 * GitHub's media types (`application/vnd.github.v3+json`, the previews @octokit/auth-app still asks
 * for) are JSON, which Octokit reads as JSON only under `application/json`: an answer labelled so
 * (GitHub Enterprise Server, a proxy, a mock of GitHub's description) is relabelled.
 */
function asJson(res: Response): Response {
  const type = res.headers.get('content-type') ?? '';
  if (!/^application\/vnd\.github(?:\.[a-z0-9.-]+)?\+json\b/i.test(type)) return res;
  const headers = new Headers(res.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** A PEM from the environment: `\n` escapes (one-line secrets) made line breaks. */
export function pemFromEnv(value: string): string {
  return value.includes('\\n') ? value.replace(/\\r/g, '').replace(/\\n/g, '\n') : value;
}

/** How long the App's installation on a repository is remembered (a reinstall gives it a new id). */
export const INSTALLATION_CACHE_MS = 3600_000;

export class GitHubAppClient implements CodeHost {
  private readonly octokit: Octokit;
  private readonly auth: ReturnType<typeof createAppAuth>;
  private readonly apiUrl: string;
  /** The App's installation per repository (`owner/repo`, lower-cased), with when it was asked. */
  private readonly installations = new Map<string, { id: number; at: number }>();
  private slug: string | null = null;

  constructor(opts: { appId: string | number; privateKey: string; apiUrl: string }) {
    this.apiUrl = opts.apiUrl.replace(/\/+$/, '');
    // Every call (the installation token's too) gives up after TIMEOUT_MS.
    const timed: typeof fetch = async (url, init) =>
      asJson(await fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(TIMEOUT_MS) }));
    this.octokit = new Octokit({ baseUrl: this.apiUrl, userAgent: 'incident-bot', request: { fetch: timed } });
    this.auth = createAppAuth({
      appId: opts.appId,
      privateKey: pemFromEnv(opts.privateKey),
      request: this.octokit.request,
    });
  }

  /**
   * The Octokit every call goes through (GITHUB_API_URL, the timeout, GitHub's media types read as
   * JSON): callers name the authorization themselves (an installation token from `repositoryToken`).
   */
  get api(): Octokit {
    return this.octokit;
  }

  /** The App's own JWT (`Authorization: bearer …`), for the calls made as the App. */
  private async appJwt(): Promise<string> {
    return (await this.auth({ type: 'app' })).token;
  }

  /**
   * The App's installation on `owner/repo` (`GET /repos/{owner}/{repo}/installation` as the App), for
   * calls that no webhook named an installation for; remembered INSTALLATION_CACHE_MS per repository.
   * Throws Octokit's error (404: the App is not installed there).
   */
  async installationOf(owner: string, repo: string, now = Date.now()): Promise<number> {
    const key = `${owner}/${repo}`.toLowerCase();
    const known = this.installations.get(key);
    if (known && now - known.at < INSTALLATION_CACHE_MS) return known.id;
    const jwt = await this.appJwt();
    const res = await this.octokit.request('GET /repos/{owner}/{repo}/installation', {
      owner,
      repo,
      headers: { authorization: `bearer ${jwt}` },
    });
    const parsed = z.object({ id: z.number().int().positive() }).safeParse(res.data);
    if (!parsed.success) throw new Error('GitHub answered the installation with something unexpected');
    if (this.installations.size >= 1000) this.installations.clear();
    this.installations.set(key, { id: parsed.data.id, at: now });
    return parsed.data.id;
  }

  /**
   * An installation token for `owner/repo` alone with only `permissions` (its installation looked up
   * with installationOf; auth-app caches the token). A refused token forgets the installation, so a
   * reinstalled App is found again. Throws Octokit's error.
   */
  async repositoryToken(owner: string, repo: string, permissions: Record<string, 'read' | 'write'>): Promise<string> {
    const installationId = await this.installationOf(owner, repo);
    try {
      const auth = await this.auth({ type: 'installation', installationId, repositoryNames: [repo], permissions });
      return auth.token;
    } catch (err) {
      this.installations.delete(`${owner}/${repo}`.toLowerCase());
      throw err;
    }
  }

  /** The App's slug (`GET /app` as the App), asked once: its bot user is `<slug>[bot]`. Throws Octokit's error. */
  async appSlug(): Promise<string> {
    if (this.slug) return this.slug;
    const jwt = await this.appJwt();
    const res = await this.octokit.request('GET /app', { headers: { authorization: `bearer ${jwt}` } });
    const parsed = z.object({ slug: z.string().min(1).max(100) }).safeParse(res.data);
    if (!parsed.success) throw new Error('GitHub answered GET /app without a slug');
    this.slug = parsed.data.slug;
    return this.slug;
  }

  /** An installation token for one repository, with only `permissions`. */
  private async token(
    installationId: number | null,
    repo: string,
    permissions: Record<string, 'read' | 'write'>,
  ): Promise<string> {
    if (installationId === null)
      throw new CodeHostUnavailable('the webhook named no GitHub App installation: is it the GitHub App’s webhook?');
    const auth = await this.auth({
      type: 'installation',
      installationId,
      repositoryNames: [repo],
      permissions,
    });
    return auth.token;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CodeHostUnavailable) throw err;
      const status = (err as { status?: unknown }).status;
      throw new CodeHostUnavailable(
        `GitHub ${what} failed${typeof status === 'number' ? ` (HTTP ${status})` : ''}`,
        err,
      );
    }
  }

  async approvals(input: { repository: string; number: number; installationId: number | null }): Promise<Approval[]> {
    const slug = SLUG.exec(input.repository);
    if (!slug) throw new CodeHostUnavailable(`not a repository: ${input.repository.slice(0, 200)}`);
    const [, owner, repo] = slug as unknown as [string, string, string];
    return this.call('reading the pull request reviews', async () => {
      const token = await this.token(input.installationId, repo, { pull_requests: 'read' });
      const all: z.output<typeof review>[] = [];
      for (let page = 1; page <= MAX_REVIEW_PAGES; page++) {
        const res = await this.octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
          owner,
          repo,
          pull_number: input.number,
          per_page: PER_PAGE,
          page,
          headers: { authorization: `token ${token}` },
        });
        const parsed = reviews.safeParse(res.data);
        if (!parsed.success) throw new CodeHostUnavailable('GitHub answered the reviews with something unexpected');
        all.push(...parsed.data);
        if (parsed.data.length < PER_PAGE) break;
      }
      return latestApprovals(all);
    });
  }

  async reviewDeployment(input: {
    callbackUrl: string;
    installationId: number | null;
    environment: string;
    state: 'approved' | 'rejected';
    comment: string;
  }): Promise<void> {
    const target = deploymentCallbackOf(input.callbackUrl, this.apiUrl);
    if (!target)
      throw new CodeHostUnavailable(
        'the deployment callback URL is not GitHub’s deployment protection rule endpoint on GITHUB_API_URL: refused',
      );
    await this.call('answering the deployment protection rule', async () => {
      const token = await this.token(input.installationId, target.repo, { actions: 'read', deployments: 'write' });
      await this.octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule', {
        owner: target.owner,
        repo: target.repo,
        run_id: target.runId,
        environment_name: input.environment.slice(0, 255),
        state: input.state,
        comment: input.comment.slice(0, 1000),
        headers: { authorization: `token ${token}` },
      });
    });
  }
}
