import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { readBody, reply, tooLarge } from '../http/body.ts';
import { toPagerDutyEvent, verifyPagerDutySignature } from './webhook.ts';
import type { PagerDutyEvent } from '../domain/pagerduty-event.ts';

/**
 * POST /pagerduty/webhook: verifies PagerDuty's signature over the raw body (bad or missing → 401,
 * nothing stored), answers 202 at once and handles the event after, so PagerDuty never waits on Slack.
 */
export function pagerDutyWebhookRoute(opts: {
  secret: string | null;
  handle: (event: PagerDutyEvent) => Promise<unknown>;
  track: <T>(work: Promise<T>) => Promise<T>;
  logger: Logger;
}) {
  return {
    path: '/pagerduty/webhook',
    method: ['POST'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        if (!opts.secret)
          return reply(res, 404, { error: 'PagerDuty webhooks are not configured (PAGERDUTY_WEBHOOK_SECRET)' });
        const raw = await readBody(req);
        if (!raw) return tooLarge(req, res);
        const signature = req.headers['x-pagerduty-signature'];
        if (!verifyPagerDutySignature(raw, Array.isArray(signature) ? signature.join(',') : signature, opts.secret)) {
          opts.logger.warn({}, 'PagerDuty webhook with a bad signature refused');
          return reply(res, 401, { error: 'bad signature' });
        }
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return reply(res, 400, { error: 'body is not JSON' });
        }
        const event = toPagerDutyEvent(body);
        if (!event) return reply(res, 202, { status: 'ignored' });
        reply(res, 202, { status: 'accepted' });
        await opts.track(
          opts
            .handle(event)
            .catch((err) => opts.logger.error({ err, eventId: event.eventId }, 'PagerDuty event not handled')),
        );
      })().catch((err) => {
        opts.logger.error({ err }, 'PagerDuty webhook failed');
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      });
    },
  };
}
