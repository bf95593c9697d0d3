// The bench's stand-in for Slack's servers sending slash commands: its own process (as Slack's
// servers are), so what it measures is the bot's answer and the network, not the Slack Web API
// stand-in sharing an event loop with the clock. Each burst is signed before its timer starts (as
// Slack signs before sending) and sent with node:http on a fresh connection per request (no
// keep-alive: each request pays its own connect, as a request from Slack may).
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { SIGNING_SECRET } from '../test/support/slack-requests.ts';

/** `bodies`: slash commands (form bodies) to POST /slack/events; `requests`: any mix (bench/scale.ts). */
export type LoadRequest = { id: number; url: string; bodies?: string[]; requests?: PlainRequest[] };
export type PlainRequest = { method: 'GET' | 'POST'; path: string; body?: string; json?: boolean };
/** acks: ms to each whole answer; starts: when each was sent (performance.timeOrigin + now(), ms since the epoch). */
/** statuses: with `requests`, each answer's HTTP status (anything but 200 is not an error then). */
export type LoadReply = { id: number; acks?: number[]; starts?: number[]; statuses?: number[]; error?: string };

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function signed(body: string, json = false) {
  const ts = Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': sig,
  };
}

/** Sends one request (a signed body by default); resolves with the time until the whole answer was read, in ms. */
function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
  sent: (at: number) => void = () => {},
  opts: { method: 'GET' | 'POST'; path: string; status?: (code: number) => void } = {
    method: 'POST',
    path: '/slack/events',
  },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    sent(performance.timeOrigin + t0);
    const req = http.request(
      { host: url.hostname, port: url.port, path: opts.path, method: opts.method, agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          opts.status?.(res.statusCode ?? 0);
          if (res.statusCode !== 200 && !opts.status)
            reject(
              new Error(`${opts.method} ${opts.path}: status ${res.statusCode}: ${Buffer.concat(chunks).toString()}`),
            );
          else resolve(performance.now() - t0);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

process.on('message', async (msg: LoadRequest) => {
  try {
    const url = new URL(msg.url);
    if (msg.requests) {
      const starts: number[] = [];
      const statuses: number[] = [];
      const requests = msg.requests.map((r) => ({
        ...r,
        body: r.body ?? '',
        headers: r.method === 'GET' ? {} : signed(r.body ?? '', r.json),
      }));
      const acks = await Promise.all(
        requests.map((r, i) =>
          post(url, r.body, r.headers, (at) => (starts[i] = at), { ...r, status: (code) => (statuses[i] = code) }),
        ),
      );
      process.send!({ id: msg.id, acks, starts, statuses } satisfies LoadReply);
      return;
    }
    const requests = (msg.bodies ?? []).map((body) => ({ body, headers: signed(body) }));
    const acks = await Promise.all(requests.map((r) => post(url, r.body, r.headers)));
    process.send!({ id: msg.id, acks } satisfies LoadReply);
  } catch (err) {
    process.send!({ id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies LoadReply);
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ id: 0 } satisfies LoadReply);
