// The embedded PostgreSQL's own thread (started by startEmbeddedPostgres in embedded.ts): PGlite
// runs Postgres as WebAssembly, synchronously, so here it keeps the bot's event loop free; the bot
// reaches it through the socket server on a Unix socket in a private folder, as it would a
// PostgreSQL server. Never on a TCP port: PGlite checks no password, anyone could connect.
// Plain JavaScript on purpose: the thread then needs no TypeScript loader (about 40 MB less
// resident). The messages are EmbeddedRequest and EmbeddedReply in embedded.ts.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const { dataDir, socketPath } = workerData;
const port = parentPort;
const failure = (err) => ({
  type: 'error',
  message: err instanceof Error ? err.message : String(err),
  ...(err instanceof Error && err.stack ? { stack: err.stack } : {}),
});

let db;
let server;
try {
  // One session on one connection: Postgres's default 128 MB of shared buffers would mostly sit
  // resident for nothing (measured: about 130 MB less resident with 16 MB, reports no slower).
  db = await PGlite.create(dataDir ?? undefined, { postgresqlconf: ['shared_buffers = 16MB'] });
  server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 32 });
  await server.start();
  // Created under the process's umask (0077: owner only); 0600 as a database socket should be.
  fs.chmodSync(socketPath, 0o600);
  port.postMessage({ type: 'ready', conn: server.getServerConn() });
} catch (err) {
  await server?.stop().catch(() => {});
  await db?.close().catch(() => {});
  port.postMessage(failure(err));
  port.close();
}

port.on('message', async (msg) => {
  if (msg?.type !== 'stop') return;
  try {
    await server?.stop();
    await db?.close();
    port.postMessage({ type: 'stopped' });
  } catch (err) {
    port.postMessage(failure(err));
  }
  // Nothing is left to keep the thread alive: it ends.
  port.close();
});
