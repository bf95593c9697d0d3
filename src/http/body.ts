import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';

/** The largest request body the bot's own routes read (webhooks, change events). */
export const MAX_BODY = 1024 * 1024;

/** The raw body, or null when it is larger than `max` (the caller answers 413 and closes the connection). */
export function readBody(req: IncomingMessage, max = MAX_BODY): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        // Stop reading; the caller answers 413, then the connection is closed.
        req.pause();
        resolve(null);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON answer. */
export function reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** 413 for a body over the limit, then the connection is closed (the rest is never read). */
export function tooLarge(req: IncomingMessage, res: ServerResponse) {
  reply(res, 413, { error: 'body too large' });
  res.on('finish', () => req.destroy());
}

/** The one value of a header (several joined by commas), or undefined. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Answers a webhook once its handling (`work`, already tracked by the caller) is done, waiting at
 * most `waitMs`: 202 `accepted` (or `ignored`, when the handler says so), or 500 `failure` when it
 * failed (the sender redelivers it). Past `waitMs`, 202 at once, and a later failure is logged.
 */
export async function replyWhenHandled(
  res: ServerResponse,
  work: Promise<unknown>,
  opts: { waitMs: number; logger: Logger; context: object; what: string; failure: string },
): Promise<void> {
  type Outcome = { ok: true; result: unknown } | { ok: false; err: unknown } | { timedOut: true };
  const settled = work.then(
    (result): Outcome => ({ ok: true, result }),
    (err: unknown): Outcome => ({ ok: false, err }),
  );
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    settled,
    new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ timedOut: true }), opts.waitMs);
    }),
  ]);
  clearTimeout(timer);
  if ('timedOut' in outcome) {
    reply(res, 202, { status: 'accepted' });
    const late = await settled;
    if ('ok' in late && !late.ok)
      opts.logger.error({ err: late.err, ...opts.context }, `${opts.what} not handled (after the answer)`);
    return;
  }
  if (!outcome.ok) {
    opts.logger.error({ err: outcome.err, ...opts.context }, `${opts.what} not handled`);
    return reply(res, 500, { error: opts.failure });
  }
  reply(res, 202, { status: outcome.result === 'ignored' ? 'ignored' : 'accepted' });
}

/** An HTTP route on the bot's server (beside /slack/events). */
export interface Route {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}
