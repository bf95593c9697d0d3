import type { IncomingMessage, ServerResponse } from 'node:http';
import { actingAs } from '../audit-context.ts';
import {
  changeEventBodySchema,
  changeEventProblems,
  changeFromBody,
  sameChange,
} from '../domain/change-event-input.ts';
import type { ChangeEvent } from '../domain/changes.ts';
import { cleanUnstorable } from '../domain/storable-text.ts';
import type { Logger } from '../logger.ts';
import { bearerMatches } from '../metrics.ts';
import { recordChange } from '../services/changes/record-change.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { header, readBody, reply, tooLarge, type Route } from './body.ts';

/** A stored change as POST /changes answers it. */
export function changeJson(change: ChangeEvent) {
  return {
    id: change.id,
    source: change.source,
    kind: change.kind,
    service: change.service,
    service_known: change.serviceName !== null,
    service_name: change.serviceName,
    system: change.system,
    owner: change.owner,
    environment: change.environment,
    version: change.version,
    summary: change.summary,
    author: change.author,
    approvers: change.approvers,
    url: change.url,
    occurred_at: change.occurredAt.toISOString(),
    received_at: change.receivedAt.toISOString(),
    flagged: change.flagged,
  };
}

const isJson = (contentType: string | undefined) =>
  !!contentType && /^application\/json\s*(;|$)/i.test(contentType.trim());

/**
 * POST /changes: a change event from a pipeline (or a person's script). `Authorization: Bearer
 * <CHANGE_EVENTS_TOKEN>` (401 otherwise; 404 when no token is configured), a JSON body (415
 * otherwise) of at most 1 MB (413), validated field by field (400 naming each problem). 201 with the
 * change as stored; 200 with it when it was recorded already (the same `id` for the same service and
 * content, or a retry of the same content); 409 when the `id` (or `github_deployment_id`) was
 * recorded for another change (nothing of it is answered); 200 with only its id when GitHub reported
 * the deployment already. A service unknown to the catalog is stored and answered `service_known: false`.
 */
export function changesRoute(opts: {
  token: string | null;
  deps: ServiceDeps;
  track: <T>(work: Promise<T>) => Promise<T>;
  logger: Logger;
}): Route {
  return {
    path: '/changes',
    method: ['POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void opts
        .track(
          (async () => {
            if (!opts.token)
              return reply(res, 404, { error: 'change events are not configured (CHANGE_EVENTS_TOKEN)' });
            if (!bearerMatches(req.headers.authorization, opts.token)) {
              opts.logger.warn({}, 'POST /changes without the bearer token (CHANGE_EVENTS_TOKEN) refused');
              return reply(res, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer' });
            }
            const raw = await readBody(req);
            if (!raw) return tooLarge(req, res);
            if (!isJson(header(req, 'content-type')))
              return reply(res, 415, { error: 'the body must be JSON (Content-Type: application/json)' });
            let parsed: unknown;
            try {
              parsed = JSON.parse(raw.toString('utf8'));
            } catch {
              return reply(res, 400, { error: 'the body is not JSON', problems: ['the body is not JSON'] });
            }
            try {
              parsed = cleanUnstorable(parsed).value;
            } catch {
              return reply(res, 400, {
                error: 'the body is nested too deeply',
                problems: ['the body is nested too deeply'],
              });
            }
            const body = changeEventBodySchema.safeParse(parsed);
            if (!body.success) {
              const problems = changeEventProblems(body.error);
              return reply(res, 400, { error: `the change was refused: ${problems.join('; ')}`, problems });
            }
            const made = changeFromBody(body.data, opts.deps.clock.now());
            if (!made.ok)
              return reply(res, 400, { error: `the change was refused: ${made.problem}`, problems: [made.problem] });
            const { change, created } = await actingAs({ actor: 'change-events', via: 'POST /changes' }, () =>
              recordChange(opts.deps, { change: made.change, retryKeys: made.retryKeys }),
            );
            opts.logger.info(
              { changeId: change.id, service: change.service, known: change.serviceName !== null, created },
              created ? 'change event recorded' : 'change event already recorded',
            );
            if (!created && !sameChange(made.identity, change)) {
              // The key was used for another change: say so, without what that change is.
              if (change.source !== 'api')
                return reply(res, 200, {
                  id: change.id,
                  source: change.source,
                  flagged: change.flagged,
                  duplicate: true,
                });
              const field = body.data.github_deployment_id !== undefined ? 'github_deployment_id' : 'id';
              return reply(res, 409, {
                error: `this ${field} was recorded already for another change (a different summary, version or occurred_at): nothing was stored; send a new ${field} for a new change`,
              });
            }
            return reply(res, created ? 201 : 200, { ...changeJson(change), duplicate: !created });
          })(),
        )
        .catch((err) => {
          opts.logger.error({ err }, 'POST /changes failed');
          if (!res.headersSent) reply(res, 500, { error: 'internal error' });
        });
    },
  };
}
