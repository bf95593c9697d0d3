// The embedded PostgreSQL's own thread (started by startEmbeddedPostgres in embedded.ts): PGlite
// runs Postgres as WebAssembly, synchronously, so here it keeps the bot's event loop free; the bot
// reaches it through the socket server on a Unix socket in a private folder, as it would a
// PostgreSQL server. Never on a TCP port: PGlite checks no password, anyone could connect.
// Plain JavaScript on purpose: the thread then needs no TypeScript loader (about 40 MB less
// resident). The messages are EmbeddedRequest and EmbeddedReply in embedded.ts.
//
// Also run as a child process (`node embedded-worker.mjs --initdb <data folder>`, by
// initdbInChild in embedded.ts) to make a new database in an empty folder and exit: initdb runs a
// second Postgres and grows PGlite's WebAssembly memory to several hundred MB, which a process
// gives back when it ends (a thread in the bot's process did not, all of it). The folder's lock
// stays with the bot's process, which waits for this one before it opens the folder.
import '../wasm-baseline.mjs';
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const initdbDir = !parentPort && process.argv[2] === '--initdb' ? process.argv[3] : null;
// In memory, `template` (a tarball of a data folder, PGlite's dumpDataDir) is the database it starts
// as; a new folder on disk is unpacked from it before this thread starts (embedded.ts).
const { dataDir, socketPath, template } = initdbDir
  ? { dataDir: initdbDir, socketPath: null, template: null }
  : workerData;

// PGlite's file system layer sets modes of its own, whatever the process's umask: it writes some
// files (pg_internal.init, initdb's) and then chmods them 0644 or 0666. Every mode this thread gives
// a file or folder keeps to the owner: files at most 0600, folders at most 0700. This thread's `fs`
// is its own (worker threads do not share modules), so nothing else in the bot is touched.
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
function privateMode(mode, dir = false) {
  if (typeof mode === 'string') mode = parseInt(mode, 8);
  if (typeof mode !== 'number' || !Number.isFinite(mode)) return mode;
  const isDir = dir || (mode & S_IFMT) === S_IFDIR;
  return (mode & (S_IFMT | 0o7000)) | (mode & (isDir ? 0o700 : 0o600));
}
for (const name of ['chmodSync', 'fchmodSync', 'lchmodSync', 'chmod', 'fchmod', 'lchmod']) {
  const original = fs[name];
  if (typeof original !== 'function') continue;
  fs[name] = function (target, mode, ...rest) {
    // Without file type bits in the mode, a folder is recognised by looking (it needs its x bit).
    let dir = false;
    if (typeof mode === 'number' && (mode & S_IFMT) === 0) {
      try {
        dir = (typeof target === 'number' ? fs.fstatSync(target) : fs.statSync(target)).isDirectory();
      } catch {
        // let the original report it
      }
    }
    return original.call(this, target, privateMode(mode, dir), ...rest);
  };
}
const openSync = fs.openSync;
fs.openSync = function (target, flags, mode, ...rest) {
  return openSync.call(this, target, flags, mode === undefined ? mode : privateMode(mode), ...rest);
};
const writeFileSync = fs.writeFileSync;
fs.writeFileSync = function (target, data, options, ...rest) {
  const opts =
    options && typeof options === 'object' && options.mode !== undefined
      ? { ...options, mode: privateMode(options.mode) }
      : options;
  return writeFileSync.call(this, target, data, opts, ...rest);
};
const mkdirSync = fs.mkdirSync;
fs.mkdirSync = function (target, options, ...rest) {
  const opts =
    typeof options === 'number' || typeof options === 'string'
      ? privateMode(options, true)
      : options && typeof options === 'object' && options.mode !== undefined
        ? { ...options, mode: privateMode(options.mode, true) }
        : options;
  return mkdirSync.call(this, target, opts, ...rest);
};
// One session on one connection: Postgres's default 128 MB of shared buffers would mostly sit
// resident for nothing (measured: about 130 MB less resident with 16 MB, reports no slower).
const options = { postgresqlconf: ['shared_buffers = 16MB'] };

/**
 * The template as PGlite loads it, for an in-memory database (always new). PGlite asks only for the tarball's bytes (`arrayBuffer()`) and its type; a Blob made from the file
 * gave them by copying 39 MB through Node's Blob reader, chunk by chunk (measured: about a quarter of
 * the CPU of starting from the template, and as many pages to fault in). This hands PGlite the
 * buffer the file was read into, without a copy.
 */
const fromTemplate = () => {
  if (!template) return {};
  const bytes = fs.readFileSync(template);
  const whole =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { loadDataDir: { type: 'application/x-tar', size: whole.byteLength, arrayBuffer: async () => whole } };
};

if (initdbDir) {
  try {
    const made = await PGlite.create(initdbDir, options);
    await made.close();
    process.exit(0);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

const port = parentPort;
const failure = (err) => ({
  type: 'error',
  message: err instanceof Error ? err.message : String(err),
  ...(err instanceof Error && err.stack ? { stack: err.stack } : {}),
});

let db;
let server;
try {
  db = await PGlite.create(dataDir ?? undefined, { ...options, ...fromTemplate() });
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
