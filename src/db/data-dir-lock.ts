// One process at a time on an embedded database's data folder: PGlite is one process's database,
// and two of them on the same files (the bot, and `npm run review`, which migrates first) corrupt
// it. The lock is a file in the folder naming its holder: the process id and, where /proc tells
// it, the process's start time, so that a lock left by a killed process (kill -9, a crash, a
// container restart where the new process has the same pid) is seen as stale and taken over.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'incident-bot.lock';

/** The data folder is open in another live process. Its message is the one line to print. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`The data folder ${dataDir} is in use by another process (pid ${pid}): stop the bot first, or use DATABASE_URL.`);
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  /** Gives the folder up (only if the lock file is still this holder's). Harmless twice. */
  release(): void;
}

interface Holder {
  pid: number;
  /** Clock ticks after boot at which the process started (/proc/<pid>/stat), null where unknown. */
  start: string | null;
  nonce: string;
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

/** Whether the holder named in a lock file is still running. */
function isLive(holder: Holder): boolean {
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

function parseHolder(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (Number.isSafeInteger(h.pid) && h.pid! > 0 && typeof h.nonce === 'string' && (h.start === null || typeof h.start === 'string')) {
      return { pid: h.pid!, start: h.start ?? null, nonce: h.nonce };
    }
  } catch {
    // not JSON: not a lock any process wrote (they are written whole and synced before being linked)
  }
  return null;
}

const held = new Map<string, string>(); // lock file → nonce, for the exit handler
let exitHandler: (() => void) | null = null;

function removeIfOurs(file: string, nonce: string) {
  try {
    if (parseHolder(readLock(file)?.text ?? '')?.nonce === nonce) fs.unlinkSync(file);
  } catch {
    // already gone, or the folder with it
  }
}

/** Waits `ms` without an event loop turn (lock taking is synchronous, and takes microseconds). */
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

/**
 * Takes the data folder (which must exist) for this process, until release() or the process's
 * exit. Throws DataDirLockedError when a live process holds it; a stale lock is taken over.
 *
 * Taking is link(): atomic, it fails while the lock exists, and it publishes a file already
 * written whole (and synced: a power cut leaves no empty lock). A stale lock is removed only by
 * the one process that claims it: the claim is another link() of the lock, under a name made of
 * the stale lock's inode and content, so that of several processes finding the same stale lock at
 * once exactly one removes it, and none ever removes a lock that another has just taken.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, start: procStat(process.pid)?.start ?? null, nonce: randomBytes(16).toString('hex') };
  const temp = path.join(dir, `${LOCK_FILE}.${me.nonce}`);
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, `${JSON.stringify(me)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
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
      if (holder && isLive(holder)) throw new DataDirLockedError(dir, holder.pid);
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
        if (claimed && claimed.ino === seen.ino && claimed.text === seen.text) fs.rmSync(file, { force: true });
      } finally {
        fs.rmSync(claim, { force: true });
      }
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }

  held.set(file, me.nonce);
  if (!exitHandler) {
    // process.exit() skips `finally` blocks and stop(): the lock still goes with the process.
    exitHandler = () => {
      for (const [f, nonce] of held) removeIfOurs(f, nonce);
    };
    process.on('exit', exitHandler);
  }
  return {
    release() {
      if (held.get(file) !== me.nonce) return;
      held.delete(file);
      removeIfOurs(file, me.nonce);
    },
  };
}
