import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { FREEZE_SERVICE_MAX, type FreezeVerdict } from '../domain/freeze.ts';
import type { Logger } from '../logger.ts';
import { bearerMatches } from '../metrics.ts';
import { header, reply, type Route } from './body.ts';

const PARAMS = ['service'] as const;
const querySchema = z.object({
  service: z
    .string()
    .trim()
    .min(1, { message: 'service is required' })
    .max(FREEZE_SERVICE_MAX, { message: `service is at most ${FREEZE_SERVICE_MAX} characters` })
    .regex(/^[^\p{Cc}]+$/u, { message: 'service must not contain control characters' }),
});

/** The query of GET /api/freeze checked: the service, or what is wrong with it (for a 400). */
export function parseFreezeQuery(url: string | undefined): { service: string } | { error: string } {
  let params: URLSearchParams;
  try {
    params = new URL(url ?? '/', 'http://localhost').searchParams;
  } catch {
    return { error: 'the query is not valid' };
  }
  const keys = [...params.keys()];
  const unknown = [...new Set(keys.filter((k) => !(PARAMS as readonly string[]).includes(k)))];
  if (unknown.length) {
    const named = unknown.slice(0, 10).map((k) => k.slice(0, 50));
    return {
      error: `unknown query parameter${unknown.length === 1 ? '' : 's'}: ${named.join(', ')}${unknown.length > 10 ? ', …' : ''} (only service is read)`,
    };
  }
  if (params.getAll('service').length > 1) return { error: 'service is given more than once' };
  const parsed = querySchema.safeParse({ service: params.get('service') ?? '' });
  if (!parsed.success) return { error: parsed.error.issues.map((i) => i.message).join('; ') };
  return parsed.data;
}

/**
 * GET /api/freeze?service=<name>: may a pipeline deploy the service now? `Authorization: Bearer
 * <CHANGE_EVENTS_TOKEN>` (compared in constant time; 401 otherwise; 404 when no token is
 * configured). 200 `{"frozen":false,"service":…}`; 423 `{"frozen":true,"service":…,"reason":…,
 * "incident":"INC-12","freezes":[…],"override":null,"overrides":[]}` while a freeze holds it; 200 with
 * `frozen` true, `override` and `overrides` when every incident freezing the service let one
 * deployment through (they are used when that deployment is reported: this GET changes nothing).
 * Never cached.
 */
export function freezeRoute(opts: {
  token: string | null;
  check: (service: string) => Promise<FreezeVerdict>;
  logger: Logger;
}): Route {
  return {
    path: '/api/freeze',
    method: ['GET'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        if (!opts.token) return reply(res, 404, { error: 'the freeze API is not configured (CHANGE_EVENTS_TOKEN)' });
        if (!bearerMatches(header(req, 'authorization'), opts.token)) {
          opts.logger.warn({}, 'GET /api/freeze with a missing or wrong bearer token refused');
          return reply(res, 401, { error: 'a valid bearer token is required' }, { 'www-authenticate': 'Bearer' });
        }
        const query = parseFreezeQuery(req.url);
        if ('error' in query) return reply(res, 400, { error: query.error });
        const verdict = await opts.check(query.service);
        if (!verdict.frozen) return reply(res, 200, verdict);
        if (verdict.override)
          return reply(res, 200, {
            ...verdict,
            note: 'Every incident freezing the service lets one deployment through: deploy, then report it (POST /changes), which uses the overrides.',
          });
        return reply(res, 423, verdict);
      })().catch((err) => {
        opts.logger.error({ err }, 'GET /api/freeze failed');
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      });
    },
  };
}
