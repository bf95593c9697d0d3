// What a pipeline sends to POST /changes, and how it becomes a change: validated field by field,
// each problem named, and keyed so that a retried POST is recorded once.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { NewChangeEvent } from './changes.ts';

/** How far ahead of the bot's clock a change may say it happened (clocks drift; a change is not planned here). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/** Without an `id` or an `occurred_at`, the same content within this window is one change (a retry). */
export const RETRY_WINDOW_MS = 15 * 60_000;

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text` })
    .trim()
    .max(max, { error: `${field} can be at most ${max} characters` });

const optionalText = (field: string, max: number) =>
  z.preprocess(
    (v) => (v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v),
    text(field, max).optional(),
  );

const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
};

/** The body of POST /changes. Unknown fields are refused (a misspelt `occurred_at` must not become "now"). */
export const changeEventBodySchema = z.strictObject(
  {
    id: optionalText('id', 200).refine((s) => s === undefined || /^[\x21-\x7e]+$/.test(s), {
      error: 'id must be printable ASCII without spaces',
    }),
    service: text('service', 200).min(1, { error: 'service is required (the catalog name of what changed)' }),
    summary: text('summary', 1000).min(1, { error: 'summary is required (what changed, in a line)' }),
    kind: z.enum(['deploy', 'change'], { error: 'kind must be deploy or change' }).default('deploy'),
    version: optionalText('version', 200),
    environment: optionalText('environment', 100),
    author: optionalText('author', 200),
    approvers: z
      .array(text('each approver', 200).min(1, { error: 'an approver cannot be empty' }), {
        error: 'approvers must be a list of names',
      })
      .max(20, { error: 'approvers can list at most 20 people' })
      .default([]),
    url: optionalText('url', 2000).refine((s) => s === undefined || isHttpUrl(s), {
      error: 'url must be an http or https URL',
    }),
    github_deployment_id: z
      .number({ error: 'github_deployment_id must be a number (the GitHub deployment id)' })
      .int({ error: 'github_deployment_id must be a whole number' })
      .positive({ error: 'github_deployment_id must be positive' })
      .max(Number.MAX_SAFE_INTEGER, { error: 'github_deployment_id is too large' })
      .optional(),
    occurred_at: z.iso
      .datetime({ offset: true, error: 'occurred_at must be an ISO 8601 time with a zone, e.g. 2026-12-05T14:03:00Z' })
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`
        : 'the body must be a JSON object',
  },
);
export type ChangeEventBody = z.output<typeof changeEventBodySchema>;

/** Each problem of a refused body, named by its field ("summary: summary is required …"). */
export function changeEventProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

/** What makes a POST the same change as one recorded under its key: `occurredAt` only when the body gave it. */
export interface ChangeIdentity {
  service: string;
  environment: string | null;
  kind: NewChangeEvent['kind'];
  summary: string;
  version: string | null;
  occurredAt: Date | null;
}

/** Whether a stored change is the one a body with the same key describes (else: the key is reused for another change). */
export function sameChange(
  identity: ChangeIdentity,
  stored: Pick<NewChangeEvent, 'service' | 'environment' | 'kind' | 'summary' | 'version' | 'occurredAt'>,
): boolean {
  return (
    identity.service === stored.service &&
    identity.environment === stored.environment &&
    identity.kind === stored.kind &&
    identity.summary === stored.summary &&
    identity.version === stored.version &&
    (identity.occurredAt === null || identity.occurredAt.getTime() === stored.occurredAt.getTime())
  );
}

/** The key of a deployment GitHub reported (its deployment_status handler's): POST /changes with it is the same change. */
export const githubDeploymentKey = (id: number) => `github:deployment_status:${id}`;

/**
 * The change a valid body describes, received at `now`; or the problem with its time (in the future
 * beyond MAX_FUTURE_SKEW_MS, or before the year 2000). `sourceKey`: with `github_deployment_id`,
 * GitHub's key of that deployment; with an `id`, a key scoped by the service, environment and kind
 * (two pipelines' `id`s may collide, and one run, `$GITHUB_RUN_ID`, may deploy staging then
 * production: two changes); else one derived from the content. `retryKeys`: the keys a retry of it may already
 * be recorded under (checked first). `identity`: what a change stored under the key must match.
 */
export function changeFromBody(
  body: ChangeEventBody,
  now: Date,
):
  | {
      ok: true;
      change: Omit<NewChangeEvent, 'serviceName' | 'system' | 'owner'>;
      retryKeys: string[];
      identity: ChangeIdentity;
    }
  | { ok: false; problem: string } {
  const occurredAt = body.occurred_at ? new Date(body.occurred_at) : now;
  if (occurredAt.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS)
    return { ok: false, problem: 'occurred_at: occurred_at is in the future (more than 5 minutes ahead)' };
  if (occurredAt.getUTCFullYear() < 2000) return { ok: false, problem: 'occurred_at: occurred_at is before 2000' };
  const content = {
    service: body.service,
    summary: body.summary,
    kind: body.kind,
    version: body.version ?? null,
    environment: body.environment ?? null,
    author: body.author ?? null,
    approvers: body.approvers,
    url: body.url ?? null,
  };
  let sourceKey: string;
  const retryKeys: string[] = [];
  if (body.github_deployment_id !== undefined) sourceKey = githubDeploymentKey(body.github_deployment_id);
  else if (body.id !== undefined)
    sourceKey = `api:${createHash('sha256')
      .update(JSON.stringify([body.service, content.environment, body.kind, body.id]))
      .digest('hex')}`;
  else if (body.occurred_at !== undefined)
    sourceKey = `api:content:${digest({ ...content, occurredAt: occurredAt.toISOString() })}`;
  else {
    // No key and no time: the same content in this window or the one before is a retry.
    const window = Math.floor(now.getTime() / RETRY_WINDOW_MS);
    const hash = digest(content);
    sourceKey = `api:content:${hash}:${window}`;
    retryKeys.push(`api:content:${hash}:${window - 1}`);
  }
  return {
    ok: true,
    retryKeys,
    identity: {
      service: body.service,
      environment: content.environment,
      kind: body.kind,
      summary: body.summary,
      version: content.version,
      occurredAt: body.occurred_at !== undefined ? occurredAt : null,
    },
    change: {
      sourceKey,
      source: 'api',
      kind: body.kind,
      service: body.service,
      environment: content.environment,
      version: content.version,
      summary: body.summary,
      author: content.author,
      approvers: body.approvers,
      url: content.url,
      occurredAt,
    },
  };
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 40);
