import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Logger } from '../logger.ts';
import { ownerAllowed } from '../domain/repository-service.ts';
import { cleanUnstorable } from '../domain/storable-text.ts';
import { header, readBody, reply, replyWhenHandled, tooLarge, type Route } from '../http/body.ts';

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
  /** SHA-256 (hex) of the delivery's exact bytes, as received: the same delivery replayed under a new id has the same. */
  bodyHash: string;
  /** Valid against GitHub's schema for the event and action; each handler parses what it uses with zod. */
  payload: Record<string, unknown>;
}

/**
 * Handles one kind of event: `actions` it takes, any when absent. The route waits for it (up to
 * WEBHOOK_WAIT_MS); it answers `'ignored'` for a delivery it does not record.
 */
export interface GitHubEventHandler {
  actions?: readonly string[];
  handle(delivery: GitHubDelivery): Promise<unknown>;
}

/** How long a delivery's handling is waited for before the answer (GitHub gives up after 10 seconds). */
export const WEBHOOK_WAIT_MS = 8000;

/**
 * Whether `signature` (X-Hub-Signature-256: `sha256=<hex>`) is the HMAC-SHA256 of the exact bytes
 * received with the secret, compared in constant time.
 */
export function signatureMatches(secret: string, raw: Buffer, signature: string | undefined): boolean {
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(signature?.trim() ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(m[1]!, 'hex'));
}

/** The owner login of a payload's repository, when it has one. */
function repositoryOwner(body: object): string | null {
  const repo = (body as { repository?: unknown }).repository;
  if (typeof repo !== 'object' || repo === null) return null;
  const owner = (repo as { owner?: unknown }).owner;
  if (typeof owner !== 'object' || owner === null) return null;
  const login = (owner as { login?: unknown }).login;
  return typeof login === 'string' ? login : null;
}

/**
 * POST /github/webhook: GitHub App or repository webhooks. The body must carry a valid
 * `X-Hub-Signature-256` (HMAC-SHA256 of the exact bytes with GITHUB_WEBHOOK_SECRET): otherwise 401
 * and nothing is stored. A repository whose owner is not among `allowedOwners` (when any are
 * listed) is answered 202 `ignored`. A payload of an event the bot handles must be valid against
 * GitHub's published schema (@octokit/webhooks-schemas): otherwise 400. The handling is waited for
 * (up to `waitMs`): 202 `accepted` (or `ignored`) when done, 500 when it failed (GitHub shows a
 * failed delivery, which can be redelivered; a redelivery is recorded once); past `waitMs`, 202 and
 * it finishes in the background, tracked. Events and actions the bot does not handle are answered
 * 202 `ignored`; `ping` is answered 200.
 */
export function gitHubWebhookRoute(opts: {
  secret: string | null;
  /** GitHub owners whose repositories are taken (any case); empty or absent: any. */
  allowedOwners?: readonly string[];
  handlers: Readonly<Record<string, GitHubEventHandler>>;
  track: <T>(work: Promise<T>) => Promise<T>;
  logger: Logger;
  waitMs?: number;
}): Route {
  const waitMs = opts.waitMs ?? WEBHOOK_WAIT_MS;
  return {
    path: '/github/webhook',
    method: ['POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        if (!opts.secret)
          return reply(res, 404, { error: 'GitHub webhooks are not configured (GITHUB_WEBHOOK_SECRET)' });
        const raw = await readBody(req);
        if (!raw) return tooLarge(req, res);
        if (!signatureMatches(opts.secret, raw, header(req, 'x-hub-signature-256'))) {
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
        const handler = Object.hasOwn(opts.handlers, event) ? opts.handlers[event] : undefined;
        const action =
          typeof (body as { action?: unknown }).action === 'string' ? (body as { action: string }).action : undefined;
        if (!handler || (handler.actions && (!action || !handler.actions.includes(action))))
          return reply(res, 202, { status: 'ignored' });
        if (opts.allowedOwners?.length) {
          const owner = repositoryOwner(body);
          if (!owner || !ownerAllowed(owner, opts.allowedOwners)) {
            opts.logger.info(
              { event, deliveryId, owner },
              'GitHub webhook from an owner not in GITHUB_ALLOWED_OWNERS: ignored',
            );
            return reply(res, 202, { status: 'ignored' });
          }
        }
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
        const work = opts.track(
          handler.handle({ event, deliveryId, bodyHash: createHash('sha256').update(raw).digest('hex'), payload }),
        );
        await replyWhenHandled(res, work, {
          waitMs,
          logger: opts.logger,
          context: { event, deliveryId },
          what: 'GitHub webhook',
          failure: 'the delivery could not be handled; redeliver it from GitHub',
        });
      })().catch((err) => {
        opts.logger.error({ err }, 'GitHub webhook failed');
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      });
    },
  };
}
