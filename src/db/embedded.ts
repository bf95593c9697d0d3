// Embedded PostgreSQL: PGlite (Postgres compiled to WebAssembly) with its data in a folder, served
// on a loopback port so that the ordinary `pg` driver and Prisma's adapter talk to it unchanged.
// It runs in a worker thread (embedded-worker.mjs): Postgres executes each query synchronously, and
// on the bot's own thread every query would hold up Slack's acknowledgements and everything else.
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Messages between the bot and the database's thread. */
export type EmbeddedRequest = { type: 'stop' };
export type EmbeddedReply =
  | { type: 'ready'; conn: string }
  | { type: 'stopped' }
  | { type: 'error'; message: string; stack?: string };

function replyError(reply: Extract<EmbeddedReply, { type: 'error' }>): Error {
  const err = new Error(reply.message);
  if (reply.stack) err.stack = reply.stack;
  return err;
}

/**
 * dataDir null keeps the database in memory (tests, scratch work). `onError` hears of the
 * database's thread failing or ending while the bot runs (queries fail from then on).
 */
export async function startEmbeddedPostgres(
  dataDir: string | null,
  opts: { onError?: (err: Error) => void } = {},
): Promise<EmbeddedPostgres> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // Plain JavaScript, run without the bot's Node options (no TypeScript loader in that thread).
  const worker = new Worker(new URL('./embedded-worker.mjs', import.meta.url), { execArgv: [], workerData: { dataDir } });

  let stopping = false;
  let exited = false;
  worker.once('exit', () => (exited = true));
  const next = () =>
    new Promise<EmbeddedReply>((resolve, reject) => {
      const onMessage = (msg: EmbeddedReply) => (off(), resolve(msg));
      const onError = (err: Error) => (off(), reject(err));
      const onExit = (code: number) => (off(), reject(new Error(`the embedded database's thread ended (exit code ${code})`)));
      const off = () => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });

  let conn: string;
  try {
    const first = await next();
    if (first.type === 'error') throw replyError(first);
    if (first.type !== 'ready') throw new Error(`the embedded database's thread said ${first.type} before it was ready`);
    conn = first.conn;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  // From here a crash is reported, never an unhandled 'error' event that would end the bot.
  worker.on('error', (err) => opts.onError?.(err));
  worker.on('exit', (code) => {
    if (!stopping) opts.onError?.(new Error(`the embedded database's thread ended unexpectedly (exit code ${code})`));
  });

  let stopped: Promise<void> | undefined;
  return {
    url: `postgresql://postgres:postgres@${conn}/postgres?sslmode=disable`,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        if (exited) return;
        const reply = next();
        worker.postMessage({ type: 'stop' } satisfies EmbeddedRequest);
        try {
          const r = await reply;
          if (r.type === 'error') throw replyError(r);
        } catch (err) {
          // Already ended: nothing is left to close.
          if (!(err instanceof Error && err.message.startsWith("the embedded database's thread ended"))) throw err;
        } finally {
          await worker.terminate();
        }
      })();
      return stopped;
    },
  };
}
