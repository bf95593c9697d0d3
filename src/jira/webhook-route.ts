import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { cleanUnstorable } from '../domain/storable-text.ts';
import { TRACKER_LABEL, type TrackerChange, type TrackerEvent } from '../domain/trackers.ts';
import { signatureMatches } from '../github/webhook-route.ts';
import { header, readBody, reply, replyWhenHandled, tooLarge, type Route } from '../http/body.ts';
import type { Logger } from '../logger.ts';

/** How long a delivery's handling is waited for before the answer. */
export const JIRA_WEBHOOK_WAIT_MS = 8000;

const text = z.string().max(10_000);
const jiraUser = z
  .object({
    accountId: z.string().min(1).max(128),
    displayName: text.nullish(),
    emailAddress: text.nullish(),
  })
  .loose();

const changelogItem = z
  .object({
    field: text,
    fieldId: text.nullish(),
    from: text.nullish(),
    fromString: text.nullish(),
    to: text.nullish(),
    toString: text.nullish(),
  })
  .loose();

/** What the bot reads of a `jira:issue_updated` delivery. */
export const issueUpdatedPayload = z
  .object({
    webhookEvent: z.literal('jira:issue_updated'),
    /** When the change happened (epoch ms): see jiraOccurredAt; a strange one is not refused, only not used. */
    timestamp: z.unknown().optional(),
    /** Who made the change; Jira leaves it out for some changes made by Jira itself. */
    user: jiraUser.nullish(),
    issue: z
      .object({
        id: z.string().regex(/^\d{1,20}$/, { message: 'must be an issue id' }),
        self: text.nullish(),
        key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*-\d+$/, { message: 'must be an issue key' }),
        fields: z
          .object({
            project: z.object({ key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/) }).loose(),
            labels: z.array(text).nullish(),
            status: z
              .object({ statusCategory: z.object({ key: text }).loose().nullish() })
              .loose()
              .nullish(),
            assignee: jiraUser.nullish(),
            duedate: text.nullish(),
          })
          .loose(),
      })
      .loose(),
    changelog: z
      .object({ items: z.array(changelogItem).max(1000) })
      .loose()
      .nullish(),
  })
  .loose();
export type IssueUpdatedPayload = z.output<typeof issueUpdatedPayload>;

/** Jira's default statuses of the To Do and In Progress categories (its own workflows and templates). */
const OPEN_STATUS_NAMES = new Set(['to do', 'open', 'in progress', 'reopened', 'backlog', 'selected for development']);

/** A changelog names statuses, not their categories: true only for one of Jira's default open statuses. */
const knownOpen = (name: string | null | undefined) =>
  name ? OPEN_STATUS_NAMES.has(name.trim().toLowerCase()) : false;

/** The earliest and latest a delivery's timestamp may sanely say (2015; a day ahead of our clock). */
const EARLIEST_TIMESTAMP_MS = Date.UTC(2015, 0, 1);
const TIMESTAMP_AHEAD_MS = 24 * 3600_000;

/** When the delivery says the change happened: its `timestamp` (epoch ms), or null when absent or not sane. */
export function jiraOccurredAt(payload: { timestamp?: unknown }, now: number = Date.now()): Date | null {
  const t = payload.timestamp;
  if (typeof t !== 'number' || !Number.isSafeInteger(t)) return null;
  if (t < EARLIEST_TIMESTAMP_MS || t > now + TIMESTAMP_AHEAD_MS) return null;
  return new Date(t);
}

const isoDate = (s: string | null | undefined) => {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(s?.trim() ?? '');
  return m ? m[1]! : null;
};

/**
 * What an issue_updated delivery changed, from its changelog: the status (closed when the issue
 * is now in a Done status, reopened otherwise), the assignee, the due date. One change of a kind
 * at most (the last); none for fields the bot does not keep in step. A move between two open
 * statuses (To Do → In Progress: the issue now not Done, and the changelog's `fromString` one of
 * Jira's default open statuses) is no change; when the status it came from cannot be told, it is
 * `reopened`, and the service applies that only to an item last known done.
 */
export function jiraChanges(payload: IssueUpdatedPayload): TrackerChange[] {
  const fields = payload.issue.fields;
  const changes = new Map<TrackerChange['kind'] | 'state', TrackerChange>();
  for (const item of payload.changelog?.items ?? []) {
    const field = (item.fieldId ?? item.field).toLowerCase();
    if (field === 'status') {
      const category = fields.status?.statusCategory?.key;
      if (category !== 'done' && category !== undefined && knownOpen(item.fromString)) continue;
      changes.set('state', { kind: category === 'done' ? 'closed' : 'reopened' });
    } else if (field === 'assignee') {
      const id = item.to ?? null;
      if (!id) changes.set('assigned', { kind: 'assigned', assignee: null });
      else {
        const now = fields.assignee?.accountId === id ? fields.assignee : null;
        changes.set('assigned', {
          kind: 'assigned',
          assignee: {
            id,
            name: item.toString || now?.displayName || id,
            email: now?.emailAddress || null,
          },
        });
      }
    } else if (field === 'duedate') {
      const to = item.to || item.toString ? (isoDate(item.to) ?? isoDate(item.toString)) : null;
      changes.set('due', { kind: 'due', due: to });
    }
  }
  return [...changes.values()];
}

/**
 * POST /jira/webhook: Jira Cloud's webhook (System › WebHooks, event "Issue updated", with a
 * secret). The body must carry a valid `X-Hub-Signature` (`sha256=<hex>`, HMAC-SHA256 of the exact
 * bytes with JIRA_WEBHOOK_SECRET): otherwise 401 and nothing happens; 404 while no secret is set.
 * Each delivery has its id (`X-Atlassian-Webhook-Identifier`, which `apply` records once). Only
 * `jira:issue_updated` of an issue labelled `incident-action` that changed its status, assignee or
 * due date is applied; anything else is answered 202 `ignored`. A payload that is not what Jira
 * sends is answered 400. The handling is waited for (up to `waitMs`): 202 when done, 500 when it
 * failed (Jira retries a delivery answered 5xx); past `waitMs`, 202 and it finishes in the
 * background, tracked.
 */
export function jiraWebhookRoute(opts: {
  secret: string | null;
  /** Applies an event; answers `'ignored'` when it recorded nothing. */
  apply: (event: TrackerEvent) => Promise<string>;
  /** The account the bot acts as in Jira: its changes come back as deliveries too (echoes). */
  selfAccountId: () => Promise<string | null>;
  track: <T>(work: Promise<T>) => Promise<T>;
  logger: Logger;
  waitMs?: number;
  /** JIRA_BASE_URL, for the issue's page (`<base>/browse/OPS-12`); else the site of the payload's `self`. */
  baseUrl?: string | null;
}): Route {
  const waitMs = opts.waitMs ?? JIRA_WEBHOOK_WAIT_MS;
  return {
    path: '/jira/webhook',
    method: ['POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        if (!opts.secret) return reply(res, 404, { error: 'Jira webhooks are not configured (JIRA_WEBHOOK_SECRET)' });
        const raw = await readBody(req);
        if (!raw) return tooLarge(req, res);
        if (!signatureMatches(opts.secret, raw, header(req, 'x-hub-signature'))) {
          opts.logger.warn({}, 'Jira webhook with a missing or bad X-Hub-Signature refused');
          return reply(res, 401, { error: 'bad signature' });
        }
        const deliveryId = header(req, 'x-atlassian-webhook-identifier')?.trim() ?? '';
        if (!/^[A-Za-z0-9._:-]{1,128}$/.test(deliveryId))
          return reply(res, 400, { error: 'X-Atlassian-Webhook-Identifier is missing or not a delivery id' });
        let body: unknown;
        try {
          body = cleanUnstorable(JSON.parse(raw.toString('utf8'))).value;
        } catch {
          return reply(res, 400, { error: 'body is not JSON (or is nested too deeply)' });
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          return reply(res, 400, { error: 'body is not a JSON object' });
        const event = (body as { webhookEvent?: unknown }).webhookEvent;
        if (event !== 'jira:issue_updated') return reply(res, 202, { status: 'ignored' });
        const parsed = issueUpdatedPayload.safeParse(body);
        if (!parsed.success) {
          const first = parsed.error.issues[0];
          const problem = first ? `${first.path.join('.') || '/'}: ${first.message}` : 'invalid';
          opts.logger.warn({ deliveryId, problem }, 'Jira webhook payload is not an issue_updated delivery: refused');
          return reply(res, 400, { error: `the jira:issue_updated payload is malformed: ${problem}` });
        }
        const payload = parsed.data;
        if (!(payload.issue.fields.labels ?? []).includes(TRACKER_LABEL)) return reply(res, 202, { status: 'ignored' });
        const changes = jiraChanges(payload);
        if (!changes.length) return reply(res, 202, { status: 'ignored' });
        const work = opts.track(
          (async (): Promise<string> => {
            const self = await opts.selfAccountId();
            const key = payload.issue.key;
            const user = payload.user;
            return opts.apply({
              occurredAt: jiraOccurredAt(payload),
              bodyHash: createHash('sha256').update(raw).digest('hex'),
              tracker: 'jira',
              target: payload.issue.fields.project.key.toUpperCase(),
              issue: { id: payload.issue.id, key, url: issueUrl(opts.baseUrl ?? null, payload.issue, key) },
              deliveryId,
              actor: user
                ? { id: user.accountId, name: user.displayName || user.accountId, email: user.emailAddress || null }
                : { id: 'jira', name: 'Jira', email: null },
              fromSelf: self !== null && user?.accountId === self,
              changes,
            });
          })(),
        );
        await replyWhenHandled(res, work, {
          waitMs,
          logger: opts.logger,
          context: { deliveryId },
          what: 'Jira webhook',
          failure: 'the delivery could not be handled; Jira will retry it',
        });
      })().catch((err) => {
        opts.logger.error({ err }, 'Jira webhook failed');
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      });
    },
  };
}

/** The issue's browse URL, from the API URL Jira gives as `self` (https://site/rest/api/2/issue/10001). */
function issueUrl(base: string | null, issue: { self?: string | null }, key: string): string {
  if (base) return `${base.replace(/\/+$/, '')}/browse/${encodeURIComponent(key)}`;
  if (issue.self) {
    try {
      const u = new URL(issue.self);
      if (u.protocol === 'https:' || u.protocol === 'http:') return `${u.origin}/browse/${encodeURIComponent(key)}`;
    } catch {
      // not a URL
    }
  }
  return '';
}
