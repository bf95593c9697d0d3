// One process at a time on an embedded database's data folder: PGlite is one process's database,
// and two of them on the same files (the bot, and `npm run review`, which migrates first) corrupt
// it. The lock is a file in the folder naming its holder: the process id and, where /proc tells
// it, the process's start time, so that a lock left by a killed process (kill -9, a crash, a
// container restart where the new process has the same pid) is seen as stale and taken over.
import { randomBytes } from 'node:crypto';
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
    // not JSON: not a lock any live process wrote (they are written whole, by link)
  }
  return null;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

const held = new Map<string, string>(); // lock file → nonce, for the exit handler
let exitHandler: (() => void) | null = null;

function removeIfOurs(file: string, nonce: string) {
  try {
    if (parseHolder(readOrNull(file) ?? '')?.nonce === nonce) fs.unlinkSync(file);
  } catch {
    // already gone, or the folder with it
  }
}

/**
 * Takes the data folder (which must exist) for this process, until release() or the process's
 * exit. Throws DataDirLockedError when a live process holds it; a stale lock is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, start: procStat(process.pid)?.start ?? null, nonce: randomBytes(16).toString('hex') };
  const content = `${JSON.stringify(me)}\n`;
  const temp = path.join(dir, `${LOCK_FILE}.${me.nonce}`);
  fs.writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        // link() is atomic and fails when the lock exists; the file it publishes is already whole.
        fs.linkSync(temp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (attempt >= 5) throw new Error(`could not take the lock ${file}: it keeps changing`);
      const seen = readOrNull(file);
      if (seen === null) continue; // released meanwhile
      const holder = parseHolder(seen);
      if (holder && isLive(holder)) throw new DataDirLockedError(dir, holder.pid);
      // Stale. Moved aside rather than deleted, and deleted only if it is the lock judged stale: a
      // process that took the folder in between keeps its lock (it is put back).
      const aside = path.join(dir, `${LOCK_FILE}.stale.${me.nonce}`);
      try {
        fs.renameSync(file, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      if (readOrNull(aside) !== seen) {
        try {
          fs.linkSync(aside, file);
        } catch {
          // yet another holder took it meanwhile: that one keeps it
        }
      }
      fs.rmSync(aside, { force: true });
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
