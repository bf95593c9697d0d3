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
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { unpackDataDirTarball } from './data-dir-tarball.ts';

export interface EmbeddedPostgres {
  url: string;
  /** The Unix socket the database listens on (mode 0600). */
  socketPath: string;
  /** The data folder, absolute (null: in memory). */
  dataDir: string | null;
  /** The data folder held no database: this start made a new, empty one. */
  created: boolean;
  /**
   * Stops the database's thread and starts a new one on the same folder (still locked, same socket):
   * PGlite's WebAssembly memory only grows, so what initdb and migrations took is given back. Only
   * with a data folder (in memory, the data would go with the thread).
   */
  restart(): Promise<void>;
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

/**
 * The URL of an embedded database served on `${socketDir}/${SOCKET_NAME}`: the socket's folder as
 * `host` (pg, Prisma's pg adapter and pg-boss read it so); `localhost` is only there to keep the URL
 * parseable and is never used.
 */
export function socketUrl(socketDir: string): string {
  return `postgresql://postgres:postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}&sslmode=disable`;
}
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
        throw new Error(
          `cannot make ${p} private to this user (it belongs to another user): give the data folder to the user the bot runs as (chown -R)`,
        );
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
 * `template`: a tarball of a data folder (PGlite's dumpDataDir: the one made at install,
 * src/db/embedded-template.ts, or the tests') that a new database starts as, instead of an empty one
 * from initdb; a folder that holds a database already is opened as it is.
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
    if (dir && Buffer.byteLength(path.join(dir, SOCKET_NAME)) <= MAX_SOCKET_PATH_BYTES) socketDir = dir;
    else {
      scratch = privateTempFolder();
      socketDir = scratch;
    }
    // A socket left by a process that was killed (the lock says none is running now).
    fs.rmSync(path.join(socketDir, SOCKET_NAME), { force: true });
  } catch (err) {
    await cleanUp();
    throw err;
  }
  const socketPath = path.join(socketDir, SOCKET_NAME);
  let thread: DatabaseThread;
  try {
    // A new folder: the template's files written straight into it, or else initdb in a process of
    // its own, which gives its memory back when it ends (the folder stays locked by this one).
    if (dir && fresh) {
      if (opts.template) {
        try {
          unpackDataDirTarball(opts.template, dir);
        } catch (err) {
          throw new Error(
            `The ready-made database ${opts.template} could not be written into ${dir}: ${err instanceof Error ? err.message : String(err)}. If the folder is fine, the ready-made database is damaged: run npm install again to remake it (or delete it: the start then runs initdb).`,
          );
        }
      } else await initdbInChild(dir);
    }
    // In memory, the thread itself starts from the template (it has nothing to give back).
    thread = await startDatabaseThread(dir, socketPath, opts.onError, dir ? undefined : opts.template);
    // A new folder: just written. Its files are private already (the unpacking and the database's
    // thread keep every mode to the owner), and this checks it once more, on this first start only.
    if (dir && fresh) makePrivate(dir);
  } catch (err) {
    await cleanUp();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    url: socketUrl(socketDir),
    socketPath,
    dataDir: dir,
    created: dir !== null && fresh,
    async restart() {
      if (!dir) throw new Error('an in-memory embedded database cannot be restarted: its data would be lost');
      if (stopped) throw new Error('the embedded database is stopped');
      // The data folder stays locked and the socket's folder stays: only the thread is new.
      await thread.stop();
      fs.rmSync(socketPath, { force: true });
      thread = await startDatabaseThread(dir, socketPath, opts.onError);
    },
    stop() {
      stopped ??= (async () => {
        try {
          await thread.stop();
        } finally {
          fs.rmSync(socketPath, { force: true });
          await cleanUp();
        }
      })();
      return stopped;
    },
  };
}

/**
 * Makes a new, empty database in the empty folder `dir` by initdb, in a child process
 * (embedded-worker.mjs --initdb): initdb grows PGlite's WebAssembly memory to several hundred MB (measured: the first start held
 * about 1 GB at its peak, and a thread that had run initdb left about 40 MB behind it when it ended).
 */
async function initdbInChild(dir: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  // Only V8's baseline compiler for Postgres's WebAssembly (the worker imports wasm-baseline.mjs):
  // initdb runs most of it once, so optimising it costs more than it saves.
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=1', fileURLToPath(new URL('./embedded-worker.mjs', import.meta.url)), '--initdb', dir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  });
  if (code !== 0)
    throw new Error(
      `PGlite could not make a new database in ${dir} (${signal ?? `exit code ${code}`}): ${stderr.trim().split('\n').at(-1) ?? ''}`,
    );
}

interface DatabaseThread {
  /** Stops Postgres (a checkpoint) and ends the thread; a thread that has already ended is let be. */
  stop(): Promise<void>;
}

/** Starts the database's thread on `dataDir` (null: in memory), serving `socketPath`; resolves once it serves. */
async function startDatabaseThread(
  dataDir: string | null,
  socketPath: string,
  onError?: (err: Error) => void,
  template?: string,
): Promise<DatabaseThread> {
  // Plain JavaScript, run without the bot's Node options (no TypeScript loader in that thread).
  const worker = new Worker(new URL('./embedded-worker.mjs', import.meta.url), {
    execArgv: [],
    workerData: { dataDir, socketPath, template: template ?? null },
  });

  let stopping = false;
  let exited = false;
  worker.once('exit', () => {
    exited = true;
  });
  const next = () =>
    new Promise<EmbeddedReply>((resolve, reject) => {
      const onMessage = (msg: EmbeddedReply) => {
        off();
        resolve(msg);
      };
      const onError = (err: Error) => {
        off();
        reject(err);
      };
      const onExit = (code: number) => {
        off();
        reject(new Error(`the embedded database's thread ended (exit code ${code})`));
      };
      const off = () => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });

  try {
    const first = await next();
    if (first.type === 'error') throw replyError(first);
    if (first.type !== 'ready')
      throw new Error(`the embedded database's thread said ${first.type} before it was ready`);
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  // From here a crash is reported, never an unhandled 'error' event that would end the bot.
  worker.on('error', (err) => onError?.(err));
  worker.on('exit', (code) => {
    if (!stopping) onError?.(new Error(`the embedded database's thread ended unexpectedly (exit code ${code})`));
  });

  let stopped: Promise<void> | undefined;
  return {
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
