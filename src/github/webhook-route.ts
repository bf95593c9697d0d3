import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { verify } from '@octokit/webhooks-methods';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Logger } from '../logger.ts';
import { cleanUnstorable } from '../domain/storable-text.ts';
import { header, readBody, reply, tooLarge, type Route } from '../http/body.ts';

const require = createRequire(import.meta.url);

/** GitHub's webhook payload schemas (@octokit/webhooks-schemas), loaded on the first webhook. */
let schemas: { definitions: Record<string, unknown> } | null = null;
const validators = new Map<string, ValidateFunction>();
const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });

/**
 * The validator of one event and action from GitHub's official schemas (`deployment_status$created`,
 * `pull_request$closed`…), compiled once; null when the schemas describe no such payload.
 */
export function payloadValidator(event: string, action: string | undefined): ValidateFunction | null {
  schemas ??= require('@octokit/webhooks-schemas') as { definitions: Record<string, unknown> };
  const name = action && `${event}$${action}` in schemas.definitions ? `${event}$${action}` : `${event}_event`;
  if (!(name in schemas.definitions)) return null;
  let v = validators.get(name);
  if (!v) {
    v = ajv.compile({ $ref: `#/definitions/${name}`, definitions: schemas.definitions });
    validators.set(name, v);
  }
  return v;
}

/** A GitHub webhook delivery the bot handles: the event (X-GitHub-Event), its delivery id, and the payload as validated. */
export interface GitHubDelivery {
  event: string;
  deliveryId: string;
  /** Valid against GitHub's schema for the event and action; each handler parses what it uses with zod. */
  payload: Record<string, unknown>;
}

/** Handles one kind of event after the 202 (GitHub waits 10 seconds at most): `actions` it takes, any when absent. */
export interface GitHubEventHandler {
  actions?: readonly string[];
  handle(delivery: GitHubDelivery): Promise<unknown>;
}

/**
 * POST /github/webhook: GitHub App or repository webhooks. The body must carry a valid
 * `X-Hub-Signature-256` (HMAC-SHA256 with GITHUB_WEBHOOK_SECRET): otherwise 401 and nothing is stored.
 * A payload of an event the bot handles must be valid against GitHub's published schema
 * (@octokit/webhooks-schemas): otherwise 400. The answer (202) comes before the work, which is tracked.
 * Events and actions the bot does not handle are answered 202 `ignored`; `ping` is answered 200.
 */
export function gitHubWebhookRoute(opts: {
  secret: string | null;
  handlers: Readonly<Record<string, GitHubEventHandler>>;
  track: <T>(work: Promise<T>) => Promise<T>;
  logger: Logger;
}): Route {
  return {
    path: '/github/webhook',
    method: ['POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        if (!opts.secret)
          return reply(res, 404, { error: 'GitHub webhooks are not configured (GITHUB_WEBHOOK_SECRET)' });
        const raw = await readBody(req);
        if (!raw) return tooLarge(req, res);
        const signature = header(req, 'x-hub-signature-256');
        if (!signature || !(await verify(opts.secret, raw.toString('utf8'), signature).catch(() => false))) {
          opts.logger.warn({}, 'GitHub webhook with a missing or bad X-Hub-Signature-256 refused');
          return reply(res, 401, { error: 'bad signature' });
        }
        const event = header(req, 'x-github-event') ?? '';
        const deliveryId = header(req, 'x-github-delivery') ?? '';
        if (!/^[a-z_]{1,64}$/.test(event))
          return reply(res, 400, { error: 'X-GitHub-Event is missing or not an event name' });
        if (!/^[A-Za-z0-9-]{1,100}$/.test(deliveryId))
          return reply(res, 400, { error: 'X-GitHub-Delivery is missing or not a delivery id' });
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return reply(res, 400, { error: 'body is not JSON' });
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          return reply(res, 400, { error: 'body is not a JSON object' });
        if (event === 'ping') return reply(res, 200, { status: 'pong' });
        const handler = opts.handlers[event];
        const action =
          typeof (body as { action?: unknown }).action === 'string' ? (body as { action: string }).action : undefined;
        if (!handler || (handler.actions && (!action || !handler.actions.includes(action))))
          return reply(res, 202, { status: 'ignored' });
        const valid = payloadValidator(event, action);
        if (valid && !valid(body)) {
          const first = valid.errors?.[0];
          opts.logger.warn(
            { event, action, deliveryId, problem: first ? `${first.instancePath || '/'} ${first.message}` : null },
            "GitHub webhook payload does not match GitHub's schema: refused",
          );
          return reply(res, 400, {
            error: `the ${event} payload does not match GitHub's schema${first ? `: ${first.instancePath || '/'} ${first.message}` : ''}`,
          });
        }
        let payload: Record<string, unknown>;
        try {
          payload = cleanUnstorable(body).value as Record<string, unknown>;
        } catch {
          return reply(res, 400, { error: 'body is nested too deeply' });
        }
        reply(res, 202, { status: 'accepted' });
        await opts.track(
          handler
            .handle({ event, deliveryId, payload })
            .catch((err) => opts.logger.error({ err, event, deliveryId }, 'GitHub webhook not handled')),
        );
      })().catch((err) => {
        opts.logger.error({ err }, 'GitHub webhook failed');
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      });
    },
  };
}
