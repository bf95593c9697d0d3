// A small stand-in for GitHub's API as a GitHub App sees it, for the GitHub Issues tracker's tests:
// the App's installation on a repository, installation tokens, GET /app, the issues of repositories
// (create, list, read, edit; one transferred answers a 301 to where it went) and GraphQL's organisation directory (SAML identities and members'
// verified-domain emails), with pages. It records every request; a test can make any path fail.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandinRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface StandinIssue {
  number: number;
  repo: string;
  title: string;
  body: string | null;
  labels: string[];
  assignees: string[];
  state: 'open' | 'closed';
  state_reason: string | null;
  user: string;
  comments: string[];
  created_at: string;
  updated_at: string;
  /** Transferred to another repository: GitHub answers its old address with a 301 to the new one. */
  movedTo?: { repo: string; number: number };
}

export interface GitHubStandin {
  url: string;
  requests: StandinRequest[];
  issues: StandinIssue[];
  /** `METHOD /path` -> status to answer instead (the first match by prefix). */
  failures: Map<string, number>;
  /** Repositories the App is installed on (`owner/repo`, lower-cased). */
  installed: Set<string>;
  /** The org's SAML identities (nameId, login) and members' verified-domain emails; null: no SAML. */
  saml: { nameId: string; login: string }[] | null;
  members: { login: string; emails: string[] }[];
  /** GraphQL answers `errors` (as GitHub does for a missing permission). */
  graphqlForbidden: boolean;
  /** Page size of the GraphQL lists (GitHub's is the `first` asked; smaller here to test the pages). */
  graphqlPage: number;
  /** The next POST of an issue makes it, and the answer never comes (the connection is dropped). */
  loseNextCreate: boolean;
  /** Paths of the requests, `METHOD /path`. */
  calls(): string[];
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : null;
}

export async function startGitHubStandin(): Promise<GitHubStandin> {
  let server: Server;
  const s: GitHubStandin = {
    url: '',
    requests: [],
    issues: [],
    failures: new Map(),
    installed: new Set(['acme/ops']),
    saml: [],
    members: [],
    graphqlForbidden: false,
    graphqlPage: 100,
    loseNextCreate: false,
    calls: () => s.requests.map((r) => `${r.method} ${r.path}`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const html = (i: StandinIssue) => `https://github.example/${i.repo}/issues/${i.number}`;
  const asJson = (i: StandinIssue) => ({
    number: i.number,
    html_url: html(i),
    repository_url: `${s.url}/repos/${i.repo}`,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason,
    labels: i.labels.map((name) => ({ name })),
    assignees: i.assignees.map((login) => ({ login })),
    user: { login: i.user },
    created_at: i.created_at,
    updated_at: i.updated_at,
  });
  server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = await readJson(req);
      const r: StandinRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        authorization: req.headers.authorization,
      };
      s.requests.push(r);
      const send = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(data));
      };
      const moved = (to: { repo: string; number: number }, tail: string) => {
        res.writeHead(301, { location: `${s.url}/repos/${to.repo}/issues/${to.number}${tail}` });
        res.end(JSON.stringify({ message: 'Moved Permanently' }));
      };
      for (const [prefix, status] of s.failures)
        if (`${r.method} ${r.path}`.startsWith(prefix)) return send(status, { message: 'failure for the test' });
      const route = `${r.method} ${r.path}`;
      const token = /^POST \/app\/installations\/(\d+)\/access_tokens$/.exec(route);
      const installation = /^GET \/repos\/([^/]+)\/([^/]+)\/installation$/.exec(route);
      const issues = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(r.path);
      const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(r.path);
      const comments = /^POST \/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(route);
      if (r.method === 'GET' && r.path === '/app')
        return send(200, { id: 1, slug: 'incident-bot', name: 'Incident bot' });
      if (token)
        return send(201, {
          token: `ghs_${token[1]}_${Math.random().toString(36).slice(2)}`,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: (body as { permissions?: unknown })?.permissions ?? {},
          repository_selection: 'selected',
        });
      if (installation) {
        const slug = `${installation[1]}/${installation[2]}`.toLowerCase();
        return s.installed.has(slug) ? send(200, { id: 7 }) : send(404, { message: 'Not Found' });
      }
      if (issues) {
        const repo = `${issues[1]}/${issues[2]}`;
        if (r.method === 'POST') {
          const b = body as { title: string; body?: string; labels?: string[]; assignees?: string[] };
          if (b.assignees?.some((a) => a.startsWith('nobody')))
            return send(422, { message: 'Validation Failed', errors: [{ field: 'assignees', code: 'invalid' }] });
          const now = new Date().toISOString();
          const issue: StandinIssue = {
            number: s.issues.length + 1,
            repo,
            title: b.title,
            body: b.body ?? null,
            labels: b.labels ?? [],
            assignees: b.assignees ?? [],
            state: 'open',
            state_reason: null,
            user: 'incident-bot[bot]',
            comments: [],
            created_at: now,
            updated_at: now,
          };
          s.issues.push(issue);
          if (s.loseNextCreate) {
            s.loseNextCreate = false;
            res.destroy();
            return;
          }
          return send(201, asJson(issue));
        }
        const perPage = Number(r.query.per_page ?? 30);
        const page = Number(r.query.page ?? 1);
        const since = r.query.since ? Date.parse(r.query.since) : 0;
        const list = s.issues
          .filter(
            (i) =>
              i.repo === repo &&
              (!r.query.labels || r.query.labels.split(',').every((l) => i.labels.includes(l))) &&
              (!r.query.creator || i.user === r.query.creator) &&
              Date.parse(i.updated_at) >= since,
          )
          .reverse();
        return send(200, list.slice((page - 1) * perPage, page * perPage).map(asJson));
      }
      if (comments) {
        const issue = s.issues.find(
          (i) => i.repo === `${comments[1]}/${comments[2]}` && i.number === Number(comments[3]),
        );
        if (!issue) return send(404, { message: 'Not Found' });
        if (issue.movedTo) return moved(issue.movedTo, '/comments');
        issue.comments.push((body as { body: string }).body);
        return send(201, {
          id: issue.comments.length,
          body: (body as { body: string }).body,
          html_url: `${html(issue)}#issuecomment-${issue.comments.length}`,
          issue_url: `${s.url}/repos/${issue.repo}/issues/${issue.number}`,
        });
      }
      if (one) {
        const issue = s.issues.find((i) => i.repo === `${one[1]}/${one[2]}` && i.number === Number(one[3]));
        if (!issue) return send(404, { message: 'Not Found' });
        if (issue.movedTo) return moved(issue.movedTo, '');
        if (r.method === 'PATCH') {
          const b = body as Partial<{
            state: 'open' | 'closed';
            state_reason: string;
            assignees: string[];
            body: string;
          }>;
          if (b.state) issue.state = b.state;
          if (b.state_reason) issue.state_reason = b.state_reason;
          if (b.assignees) issue.assignees = b.assignees;
          if (b.body !== undefined) issue.body = b.body;
          issue.updated_at = new Date().toISOString();
        }
        return send(200, asJson(issue));
      }
      if (r.method === 'POST' && r.path === '/graphql') {
        const q = body as { query: string; variables: { org: string; after?: string | null } };
        if (s.graphqlForbidden)
          return send(200, {
            data: { organization: null },
            errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }],
          });
        const start = q.variables.after ? Number(q.variables.after) : 0;
        const pageOf = <T>(all: T[]) => ({
          nodes: all.slice(start, start + s.graphqlPage),
          pageInfo: {
            hasNextPage: start + s.graphqlPage < all.length,
            endCursor: start + s.graphqlPage < all.length ? String(start + s.graphqlPage) : null,
          },
        });
        if (q.query.includes('samlIdentityProvider'))
          return send(200, {
            data: {
              organization: {
                samlIdentityProvider: s.saml
                  ? {
                      externalIdentities: pageOf(
                        s.saml.map((x) => ({ samlIdentity: { nameId: x.nameId }, user: { login: x.login } })),
                      ),
                    }
                  : null,
              },
            },
          });
        return send(200, {
          data: {
            organization: {
              membersWithRole: pageOf(
                s.members.map((x) => ({ login: x.login, organizationVerifiedDomainEmails: x.emails })),
              ),
            },
          },
        });
      }
      return send(404, { message: 'Not Found' });
    })().catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}
