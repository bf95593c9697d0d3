// One process at a time on an embedded database's data folder: PGlite is one process's database,
// and two of them on the same files (the bot, and `npm run review`, which migrates first) corrupt
// it. The lock is a file in the folder naming its holder, and the holder listens on a Unix socket
// of its own, named in the lock, for as long as it holds it: the kernel closes that socket when
// the process ends however it ends (kill -9 included), so a lock whose socket refuses connections
// is stale. That holds across containers sharing the folder, where process ids mean nothing (a
// `docker compose run … npm run review` next to the running bot). Where the socket cannot tell
// (it is outside the shared folder, or the path is too long for one), the process id and its start
// time (/proc) decide: a killed process's pid, or a pid reused since (a container's pid 1 after a
// restart), is stale too.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'incident-bot.lock';
/** The holder's liveness socket in the data folder: `.lock-<id>.sock`. */
const SOCKET_PATTERN = /^\.lock-[0-9a-f]{12}\.sock$/;
/** sun_path holds 108 bytes on Linux, 104 on macOS (with the terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 103;

/** The data folder is open in another live process. Its message is the one line to print. */
export class DataDirLockedError extends Error {
  readonly dataDir: string;
  readonly pid: number;

  constructor(dataDir: string, pid: number) {
    super(
      `The data folder ${dataDir} is in use by another process (pid ${pid}): stop the bot first, or use DATABASE_URL.`,
    );
    this.dataDir = dataDir;
    this.pid = pid;
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  /** Gives the folder up (only if the lock file is still this holder's). Harmless twice. */
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  /** Clock ticks after boot at which the process started (/proc/<pid>/stat), null where unknown. */
  start: string | null;
  nonce: string;
  /**
   * The holder's liveness socket: its name in the data folder (the folder may be mounted elsewhere
   * in another container), or an absolute path outside it; null where it has none.
   */
  socket: string | null;
}

/** A process's state and start time from /proc (Linux); null where there is no /proc or no process. */
function procStat(pid: number): { state: string; start: string } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, start: fields[19]! };
  } catch {
    return null;
  }
}

/** Whether the process named in a lock is still running, by its pid (and start time, where /proc has it). */
function pidIsLive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: a process of another user has that pid, so it is alive (it cannot be proven stale).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = procStat(holder.pid);
  if (!now) return true; // no /proc: the pid alone decides
  if (now.state === 'Z' || now.state === 'X') return false; // killed, not yet reaped by its parent
  // Same pid, another start time: the pid was reused (a container's pid 1 after a restart).
  return holder.start === null || holder.start === now.start;
}

/** 'live': something listens; 'dead': nothing can (refused, or gone from the folder); 'unknown' otherwise. */
function probe(socket: string, inFolder: boolean): Promise<'live' | 'dead' | 'unknown'> {
  return new Promise((resolve) => {
    const conn = net.connect(socket);
    const done = (answer: 'live' | 'dead' | 'unknown') => {
      clearTimeout(timer);
      conn.destroy();
      resolve(answer);
    };
    // The kernel completes a Unix socket connection on its own: a busy holder still answers at once.
    const timer = setTimeout(() => done('unknown'), 2000);
    conn.once('connect', () => done('live'));
    conn.once('error', (err: NodeJS.ErrnoException) => {
      // A holder's socket exists from before its lock until after it: gone from the shared folder means gone.
      done(err.code === 'ECONNREFUSED' || (err.code === 'ENOENT' && inFolder) ? 'dead' : 'unknown');
    });
  });
}

/** The holder's socket when it is in the data folder `dir`, else null. */
function socketInFolder(holder: Holder, dir: string): string | null {
  return holder.socket && SOCKET_PATTERN.test(holder.socket) ? path.join(dir, holder.socket) : null;
}

/** Whether the holder named in a lock file is still running. */
async function isLive(holder: Holder, dir: string): Promise<boolean> {
  const inFolder = socketInFolder(holder, dir);
  if (inFolder || holder.socket) {
    const answer = await probe(inFolder ?? holder.socket!, inFolder !== null);
    if (answer !== 'unknown') return answer === 'live';
  }
  return pidIsLive(holder);
}

function parseHolder(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (
      Number.isSafeInteger(h.pid) &&
      h.pid! > 0 &&
      typeof h.nonce === 'string' &&
      (h.start === null || typeof h.start === 'string') &&
      (h.socket === undefined ||
        h.socket === null ||
        (typeof h.socket === 'string' && (SOCKET_PATTERN.test(h.socket) || path.isAbsolute(h.socket))))
    ) {
      return { pid: h.pid!, start: h.start ?? null, nonce: h.nonce, socket: h.socket ?? null };
    }
  } catch {
    // not JSON: not a lock any process wrote (they are written whole and synced before being linked)
  }
  return null;
}

/** Waits `ms` without an event loop turn (used while another process removes a stale lock: microseconds). */
function pause(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A lock file's content and inode, read through one descriptor so that the two belong together. */
function readLock(file: string): { text: string; ino: number } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return { text: fs.readFileSync(fd, 'utf8'), ino: fs.fstatSync(fd).ino };
  } finally {
    fs.closeSync(fd);
  }
}

/** A claimer that has not finished within this time is taken to have died in the middle. */
const CLAIM_TIMEOUT_MS = 10_000;

interface Held {
  file: string;
  nonce: string;
  socket: string;
  /** A private temp folder holding the socket, when the data folder's path is too long for one. */
  socketFolder: string | null;
}
const held = new Set<Held>();
let exitHandler: (() => void) | null = null;

function removeIfOurs(file: string, nonce: string) {
  try {
    if (parseHolder(readLock(file)?.text ?? '')?.nonce === nonce) fs.unlinkSync(file);
  } catch {
    // already gone, or the folder with it
  }
}

/** What a holder leaves behind when it goes: the lock (if still its own), then its socket. Synchronous (exit handler). */
function letGo(h: Held) {
  held.delete(h);
  removeIfOurs(h.file, h.nonce);
  fs.rmSync(h.socketFolder ?? h.socket, { recursive: true, force: true });
}

/** Listens on a new Unix socket that only this user can reach (0600, in a 0700 folder). */
async function listenPrivately(
  dir: string,
  id: string,
): Promise<{ server: net.Server; socket: string; socketFolder: string | null }> {
  const name = `.lock-${id}.sock`;
  let socket = path.join(dir, name);
  let socketFolder: string | null = null;
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES) {
    socketFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-bot-lock-'));
    socket = path.join(socketFolder, name);
  }
  const server = net.createServer((c) => c.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(socket, 0o600);
  } catch (err) {
    server.close();
    fs.rmSync(socketFolder ?? socket, { recursive: true, force: true });
    throw err;
  }
  // It must not keep a process alive that has nothing else to do (the scripts end by themselves).
  server.unref();
  return { server, socket, socketFolder };
}

/**
 * Takes the data folder (which must exist) for this process, until release() or the process's
 * exit. Throws DataDirLockedError when a live process holds it; a stale lock is taken over.
 *
 * The holder's socket listens before its lock exists. Taking is link(): atomic, it fails while the
 * lock exists, and it publishes a file already written whole (and synced: a power cut leaves no
 * empty lock). A stale lock is removed only by the one process that claims it: the claim is
 * another link() of the lock, under a name made of the stale lock's inode and content, so that of
 * several processes finding the same stale lock at once exactly one removes it, and none ever
 * removes a lock that another has just taken.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, LOCK_FILE);
  const nonce = randomBytes(16).toString('hex');
  const { server, socket, socketFolder } = await listenPrivately(dir, nonce.slice(0, 12));
  const me: Holder = {
    pid: process.pid,
    start: procStat(process.pid)?.start ?? null,
    nonce,
    socket: socketFolder ? socket : path.basename(socket),
  };
  const temp = path.join(dir, `${LOCK_FILE}.${nonce}`);
  const mine: Held = { file, nonce, socket, socketFolder };
  let taken = false;
  try {
    const fd = fs.openSync(temp, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, `${JSON.stringify(me)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    for (let attempt = 0; ; attempt++) {
      if (attempt > 2000) throw new Error(`could not take the lock ${file}: it keeps changing`);
      try {
        fs.linkSync(temp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const seen = readLock(file);
      if (!seen) continue; // released meanwhile
      const holder = parseHolder(seen.text);
      if (holder && (await isLive(holder, dir))) throw new DataDirLockedError(dir, holder.pid);
      // Stale (or not a lock any process of ours wrote): claim it, then remove it.
      const digest = createHash('sha256').update(seen.text).digest('hex').slice(0, 16);
      const claim = path.join(dir, `${LOCK_FILE}.claim-${seen.ino}-${digest}`);
      try {
        fs.linkSync(file, claim);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue; // the lock went meanwhile
        if (code !== 'EEXIST') throw err;
        // Another process is removing this stale lock: wait for it (or, if it died doing so, for its claim to expire).
        try {
          if (Date.now() - fs.lstatSync(claim).ctimeMs > CLAIM_TIMEOUT_MS) fs.rmSync(claim, { force: true });
        } catch {
          // gone meanwhile
        }
        pause(5);
        continue;
      }
      try {
        const claimed = readLock(claim);
        // The claim is the stale lock itself only if the lock did not change between the read and the claim.
        if (claimed && claimed.ino === seen.ino && claimed.text === seen.text) {
          fs.rmSync(file, { force: true });
          // The dead holder's socket file, if it was in this folder.
          const deadSocket = holder && socketInFolder(holder, dir);
          if (deadSocket) fs.rmSync(deadSocket, { force: true });
        }
      } finally {
        fs.rmSync(claim, { force: true });
      }
    }
    taken = true;
  } finally {
    fs.rmSync(temp, { force: true });
    if (!taken) {
      server.close();
      fs.rmSync(socketFolder ?? socket, { recursive: true, force: true });
    }
  }

  held.add(mine);
  if (!exitHandler) {
    // process.exit() skips `finally` blocks and stop(): the lock still goes with the process.
    exitHandler = () => {
      for (const h of held) letGo(h);
    };
    process.on('exit', exitHandler);
  }
  return {
    async release() {
      if (!held.has(mine)) return;
      letGo(mine);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
