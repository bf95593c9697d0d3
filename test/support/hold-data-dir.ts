// A process that keeps an embedded database open, for the tests of the data folder's lock:
//   node test/support/hold-data-dir.ts <data folder> [<template tarball>]
// A new folder starts from the template when one is given (holdDataDir gives the empty one: a new
// database, never migrated, without running initdb), else by initdb.
// Prints {"url": …} on one line once the database is open, then waits until it is killed. When
// the folder is refused it prints the error's message alone on stderr and exits 1, as the bot does.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { childEnv } from './node-args.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

export interface Holder {
  proc: ChildProcess;
  url: string;
  /** Kills the holder with SIGKILL (no clean-up at all) and waits for it to be gone. */
  kill9(): Promise<void>;
}

/** Spawns a holder of `dataDir`; resolves once its database is open (rejects with its stderr otherwise). */
export async function holdDataDir(dataDir: string): Promise<Holder> {
  const { emptyEmbeddedTemplate } = await import('./templates.ts');
  const template = await emptyEmbeddedTemplate();
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', SELF, dataDir, template], {
    cwd: ROOT,
    env: { ...childEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return new Promise<Holder>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        proc,
        url,
        async kill9() {
          proc.kill('SIGKILL');
          await exited;
        },
      });
    });
    void exited.then(() => reject(new Error(`the holder exited (code ${proc.exitCode}): ${err}`)));
  });
}

if (process.argv[1] === SELF) {
  const { startEmbeddedPostgres } = await import('../../src/db/embedded.ts');
  const { DataDirLockedError } = await import('../../src/db/data-dir-lock.ts');
  try {
    const template = process.argv[3];
    const db = await startEmbeddedPostgres(process.argv[2]!, template ? { template } : {});
    process.stdout.write(`${JSON.stringify({ url: db.url })}\n`);
    setInterval(() => {}, 1 << 30);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
