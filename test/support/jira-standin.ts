// A small stateful stand-in for Jira Cloud's REST API (the paths src/trackers/jira.ts calls):
// issues with their fields, statuses and workflow transitions, comments, people (some hiding their
// email), search pages, /myself; basic auth checked; a test can queue failures or delay answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const JIRA_STANDIN_TOKEN = 'ATATT3xFfGF0-secret-token';

export type Category = 'new' | 'indeterminate' | 'done';
export interface StandInIssue {
  id: string;
  key: string;
  project: string;
  fields: Record<string, unknown>;
  status: { name: string; category: Category };
  created: number;
  comments: unknown[];
}
export interface StandInUser {
  accountId: string;
  displayName: string;
  emailAddress?: string;
  active: boolean;
  accountType: string;
  /** A hidden email: the search finds the person by it, but Jira does not show it. */
  realEmail?: string;
}

/** Jira's default workflow statuses. */
export const STATUSES: Record<string, { name: string; category: Category }> = {
  todo: { name: 'To Do', category: 'new' },
  progress: { name: 'In Progress', category: 'indeterminate' },
  done: { name: 'Done', category: 'done' },
};

export class JiraStandIn {
  /** The account and API token the bot must use (basic auth). */
  readonly email: string;
  readonly token: string;

  constructor(email = 'bot@example.com', token = JIRA_STANDIN_TOKEN) {
    this.email = email;
    this.token = token;
  }

  issues: StandInIssue[] = [];
  users: StandInUser[] = [];
  requests: { method: string; path: string; query: URLSearchParams; body: unknown; auth: string | undefined }[] = [];
  /** The create screen has the Priority field. */
  priorityOnScreen = true;
  /** The accounts that may be assigned issues in the project. */
  assignable = new Set(['acc-anna', 'acc-bo']);
  /** The transitions offered from each status category: to which status. */
  workflow: Record<Category, (keyof typeof STATUSES)[]> = {
    new: ['progress', 'done'],
    indeterminate: ['todo', 'done'],
    done: ['todo', 'progress'],
  };
  /** The next answers: a status and body instead of the real one. */
  failures: { status: number; body: unknown }[] = [];
  /** Answer nothing for this long. */
  delayMs = 0;
  self: StandInUser = {
    accountId: 'bot-account-1',
    displayName: 'Incident Bot',
    active: true,
    accountType: 'atlassian',
  };
  next = 10001;

  handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url!, 'http://x');
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    this.requests.push({
      method: req.method!,
      path: url.pathname,
      query: url.searchParams,
      body,
      auth: req.headers.authorization,
    });
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const send = (status: number, answer?: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, answer === undefined ? {} : { 'content-type': 'application/json' });
      res.end(answer === undefined ? undefined : JSON.stringify(answer));
    };
    const failure = this.failures.shift();
    if (failure) return send(failure.status, failure.body);
    if (req.headers.authorization !== `Basic ${Buffer.from(`${this.email}:${this.token}`).toString('base64')}`)
      return send(401, {
        errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
      });
    const m = /^\/rest\/api\/3\/issue\/(\d+)(\/assignee|\/transitions|\/comment)?$/.exec(url.pathname);
    const issue = m ? this.issues.find((i) => i.id === m[1]) : undefined;
    if (m && !issue)
      return send(404, {
        errorMessages: ['Issue does not exist or you do not have permission to see it.'],
        errors: {},
      });
    const route = `${req.method} ${m ? `/issue/{id}${m[2] ?? ''}` : url.pathname.replace('/rest/api/3', '')}`;
    switch (route) {
      case 'POST /issue': {
        const fields = (body as { fields: Record<string, unknown> }).fields;
        if ('priority' in fields && !this.priorityOnScreen)
          return send(400, {
            errorMessages: [],
            errors: { priority: "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown." },
          });
        const assignee = fields.assignee as { accountId: string } | undefined;
        if (assignee && !this.assignable.has(assignee.accountId))
          return send(400, {
            errorMessages: [],
            errors: { assignee: `User '${assignee.accountId}' cannot be assigned issues.` },
          });
        const labels = fields.labels as string[];
        if (labels.some((l) => /\s/.test(l)))
          return send(400, { errorMessages: [], errors: { labels: 'The label must not contain spaces.' } });
        const project = (fields.project as { key: string }).key;
        const id = String(this.next++);
        const key = `${project}-${this.issues.filter((i) => i.project === project).length + 1}`;
        this.issues.push({ id, key, project, fields, status: STATUSES.todo!, created: Date.now(), comments: [] });
        return send(201, { id, key, self: `http://x/rest/api/3/issue/${id}` });
      }
      case 'POST /search/jql': {
        const q = body as { jql: string; maxResults: number; nextPageToken?: string };
        const project = /project = "([^"]+)"/.exec(q.jql)?.[1];
        const label = /labels = "([^"]+)"/.exec(q.jql)?.[1];
        const all = this.issues
          .filter((i) => i.project === project && (i.fields.labels as string[]).includes(label!))
          .sort((a, b) => b.created - a.created || Number(b.id) - Number(a.id));
        const start = Number(q.nextPageToken ?? 0);
        const page = all.slice(start, start + q.maxResults);
        const more = start + q.maxResults < all.length;
        return send(200, {
          issues: page.map((i) => ({
            id: i.id,
            key: i.key,
            fields: { summary: i.fields.summary, description: i.fields.description },
          })),
          ...(more ? { nextPageToken: String(start + q.maxResults) } : {}),
          isLast: !more,
        });
      }
      case 'PUT /issue/{id}': {
        Object.assign(issue!.fields, (body as { fields: object }).fields);
        return send(204);
      }
      case 'GET /issue/{id}':
        return send(200, {
          id: issue!.id,
          key: issue!.key,
          fields: {
            status: { name: issue!.status.name, statusCategory: { key: issue!.status.category } },
            project: { key: issue!.project },
          },
        });
      case 'PUT /issue/{id}/assignee': {
        const accountId = (body as { accountId: string | null }).accountId;
        issue!.fields.assignee = accountId ? { accountId } : null;
        return send(204);
      }
      case 'POST /issue/{id}/comment':
        issue!.comments.push((body as { body: unknown }).body);
        return send(201, { id: String(issue!.comments.length) });
      case 'GET /issue/{id}/transitions':
        return send(200, {
          transitions: this.workflow[issue!.status.category].map((to) => ({
            id: `t-${to}`,
            name: `Move to ${STATUSES[to]!.name}`,
            to: { name: STATUSES[to]!.name, statusCategory: { key: STATUSES[to]!.category } },
            isAvailable: true,
          })),
        });
      case 'POST /issue/{id}/transitions': {
        const to = (body as { transition: { id: string } }).transition.id.replace('t-', '');
        if (!this.workflow[issue!.status.category].includes(to as keyof typeof STATUSES))
          return send(400, { errorMessages: ["Transition id 't-x' is not valid for this issue."], errors: {} });
        issue!.status = STATUSES[to]!;
        return send(204);
      }
      case 'GET /user/search': {
        const q = url.searchParams.get('query')!.toLowerCase();
        return send(
          200,
          this.users
            .filter((u) => [u.displayName, u.emailAddress, u.realEmail].some((v) => v?.toLowerCase().startsWith(q)))
            .map(({ realEmail: _hidden, ...u }) => u),
        );
      }
      case 'GET /user': {
        const found = this.users.find((x) => x.accountId === url.searchParams.get('accountId'));
        const { realEmail: _hidden, ...u } = found ?? { realEmail: undefined };
        return found
          ? send(200, u)
          : send(404, {
              errorMessages: ['Specified user does not exist or you do not have required permissions'],
              errors: {},
            });
      }
      case 'GET /myself':
        return send(200, this.self);
      default:
        return send(404, { errorMessages: [`no route ${route}`] });
    }
  };
}

/** A stand-in Jira on a local port: its state, URL and close. */
export async function startJiraStandIn(
  email?: string,
  token?: string,
): Promise<{ jira: JiraStandIn; url: string; close(): Promise<void> }> {
  const jira = new JiraStandIn(email, token);
  const server: Server = createServer((req, res) => void jira.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    jira,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
