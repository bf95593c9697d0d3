import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** An HTTP route on the bot's server (beside /slack/events). */
export interface Route {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}
