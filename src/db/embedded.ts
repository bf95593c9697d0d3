// Embedded PostgreSQL: PGlite (Postgres compiled to WebAssembly) with its data in a folder, served
// on a Unix socket so that the ordinary `pg` driver and Prisma's adapter talk to it unchanged.
// It runs in a worker thread (embedded-worker.mjs): Postgres executes each query synchronously, and
// on the bot's own thread every query would hold up Slack's acknowledgements and everything else.
//
// PGlite's socket server asks for no password, so who may connect is decided by the file system:
// the socket lives in the data folder (0700, its files 0600; or, for the in-memory database, in a
// fresh private temp folder) and there is no TCP listener at all. The folder is locked for as long
// as it is open (data-dir-lock.ts): a second process is refused before it changes anything.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';

export interface EmbeddedPostgres {
  url: string;
  /** The Unix socket the database listens on (mode 0600). */
  socketPath: string;
  /** The data folder, absolute (null: in memory). */
  dataDir: string | null;
  /** The data folder held no database: this start made a new, empty one. */
  created: boolean;
  stop(): Promise<void>;
}

/** Messages between the bot and the database's thread. */
export type EmbeddedRequest = { type: 'stop' };
export type EmbeddedReply =
  | { type: 'ready'; conn: string }
  | { type: 'stopped' }
  | { type: 'error'; message: string; stack?: string };

/** The socket file's name in its folder, the one `pg` connects to for `host=<folder>` (port 5432). */
export const SOCKET_NAME = '.s.PGSQL.5432';
/** sun_path holds 108 bytes on Linux, 104 on macOS (with the terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 103;

function replyError(reply: Extract<EmbeddedReply, { type: 'error' }>): Error {
  const err = new Error(reply.message);
  if (reply.stack) err.stack = reply.stack;
  return err;
}

/**
 * Makes a data folder private to its owner: the folder and every folder in it 0700, every file at
 * most 0600. Folders made by older versions were 0777 and their files 0666. Symbolic links are
 * left alone (chmod would follow them).
 */
export function makePrivate(dir: string): void {
  const tighten = (p: string, mode: number, want: number) => {
    if ((mode & 0o7777) === want) return;
    try {
      fs.chmodSync(p, want);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // removed meanwhile (a recycled WAL file)
      if ((err as NodeJS.ErrnoException).code === 'EPERM') {
        throw new Error(`cannot make ${p} private to this user (it belongs to another user): give the data folder to the user the bot runs as (chown -R)`);
      }
      throw err;
    }
  };
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) continue;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      if (st.isDirectory()) {
        tighten(p, st.mode, 0o700);
        walk(p);
      } else if (!st.isSymbolicLink()) {
        tighten(p, st.mode, st.mode & 0o600);
      }
    }
  };
  tighten(dir, fs.statSync(dir).mode, 0o700);
  walk(dir);
}

const scratchFolders = new Set<string>();
let scratchExitHook = false;
/** A new folder only this user can enter (mkdtemp: 0700), removed at stop or at the process's exit. */
function privateTempFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-db-'));
  if (!scratchExitHook) {
    scratchExitHook = true;
    process.on('exit', () => {
      for (const f of scratchFolders) fs.rmSync(f, { recursive: true, force: true });
    });
  }
  scratchFolders.add(folder);
  return folder;
}

/**
 * The process's files are created private from here on (PGlite's WAL and new relations too; where
 * PGlite sets a mode itself, embedded-worker.mjs keeps it to the owner).
 */
function privateUmask() {
  // The umask is the process's: it cannot be set from the database's thread, so it is set here,
  // before that thread starts, and kept (the bot writes nothing others should read).
  const current = process.umask();
  if ((current & 0o077) !== 0o077) process.umask(current | 0o077);
}

/**
 * dataDir null keeps the database in memory (tests, scratch work). `onError` hears of the
 * database's thread failing or ending while the bot runs (queries fail from then on).
 * `template` (tests): a tarball of a data folder (PGlite's dumpDataDir) that a new database starts
 * as, instead of an empty one from initdb; a folder that holds a database already is opened as it is.
 * With a dataDir, throws DataDirLockedError (having changed nothing) when another process has it open.
 */
export async function startEmbeddedPostgres(
  dataDir: string | null,
  opts: { onError?: (err: Error) => void; template?: string } = {},
): Promise<EmbeddedPostgres> {
  privateUmask();
  const dir = dataDir === null ? null : path.resolve(dataDir);
  let lock: DataDirLock | null = null;
  // A folder of its own for the socket when there is no data folder (or its path is too long for one).
  let scratch: string | null = null;
  const cleanUp = async () => {
    if (scratch) {
      fs.rmSync(scratch, { recursive: true, force: true });
      scratchFolders.delete(scratch);
    }
    scratch = null;
    await lock?.release();
  };
  let socketDir: string;
  let fresh = false;
  try {
    if (dir) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      lock = await lockDataDir(dir); // before anything in the folder changes
      makePrivate(dir);
      fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
    }
    socketDir = dir && Buffer.byteLength(path.join(dir, SOCKET_NAME)) <= MAX_SOCKET_PATH_BYTES ? dir : (scratch = privateTempFolder());
    // A socket left by a process that was killed (the lock says none is running now).
    fs.rmSync(path.join(socketDir, SOCKET_NAME), { force: true });
  } catch (err) {
    await cleanUp();
    throw err;
  }
  const socketPath = path.join(socketDir, SOCKET_NAME);
  // Plain JavaScript, run without the bot's Node options (no TypeScript loader in that thread).
  const worker = new Worker(new URL('./embedded-worker.mjs', import.meta.url), { execArgv: [], workerData: { dataDir: dir, socketPath, template: opts.template ?? null } });

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

  try {
    const first = await next();
    if (first.type === 'error') throw replyError(first);
    if (first.type !== 'ready') throw new Error(`the embedded database's thread said ${first.type} before it was ready`);
    // A new folder: initdb has just written it. Its files are private already (the database's
    // thread keeps every mode to the owner), and this checks it once more, on this first start only.
    if (dir && fresh) makePrivate(dir);
  } catch (err) {
    await worker.terminate();
    await cleanUp();
    throw err;
  }
  // From here a crash is reported, never an unhandled 'error' event that would end the bot.
  worker.on('error', (err) => opts.onError?.(err));
  worker.on('exit', (code) => {
    if (!stopping) opts.onError?.(new Error(`the embedded database's thread ended unexpectedly (exit code ${code})`));
  });

  let stopped: Promise<void> | undefined;
  return {
    // The socket's folder as `host` (pg, Prisma's pg adapter and pg-boss read it so); `localhost` is
    // only there to keep the URL parseable and is never used.
    url: `postgresql://postgres:postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}&sslmode=disable`,
    socketPath,
    dataDir: dir,
    created: dir !== null && fresh,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        try {
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
        } finally {
          fs.rmSync(socketPath, { force: true });
          await cleanUp();
        }
      })();
      return stopped;
    },
  };
}
