import './wasm-baseline.mjs';
import fs from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { RunningBot } from './app.ts';
import type { Config } from './config.ts';

// Node's compile cache: every module after this one is read from it on later starts, with its types
// already stripped and its bytecode compiled, instead of being stripped again (measured: about 20 MB
// less resident and a second or more less to start). The cache holds code the bot runs, so it lives
// in a folder only this user can write: NODE_COMPILE_CACHE when set (the image sets one inside the
// container), else ~/.cache/incident-bot/node-compile-cache made private — never a shared temporary
// folder, where another user could plant entries. A folder that cannot be made means no cache; the
// cache is checked against each file's contents, so a changed file is compiled afresh.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
if (!process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    const dir =
      process.env.NODE_COMPILE_CACHE || path.join(os.homedir(), '.cache', 'incident-bot', 'node-compile-cache');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    module.enableCompileCache?.(dir);
  } catch {
    // no cache: every module is compiled as it loads
  }
}

const { ConfigError, loadConfig } = await import('./config.ts');

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

// The rest of the bot is loaded once the configuration is known to be good, so a bad setting is
// reported at once, without loading (and type-stripping) every module first.
const [{ createLogger }, { logUnhandledRejections }, { openBotDatabase }] = await Promise.all([
  import('./logger.ts'),
  import('./process-net.ts'),
  import('./db/open-bot-database.ts'),
]);
const logger = createLogger(config.LOG_LEVEL);
// Nothing from outside may end the process: a rejection nobody handled is logged, not fatal.
logUnhandledRejections(logger);
// The database is opened while the rest of the bot loads: its thread (embedded) or the migrations'
// process works on another core meanwhile. startBot waits for it and reports its failure.
const database = openBotDatabase(config, logger);
database.catch(() => {}); // handled where startBot awaits it
const [{ startBot }, { DataDirLockedError }, { DatabaseSetupError }] = await Promise.all([
  import('./app.ts'),
  import('./db/data-dir-lock.ts'),
  import('./db/roles.ts'),
]);
// How long a stop may take to drain in-flight work before the process gives up and exits non-zero
// (by default under the 30 s a container orchestrator usually grants before SIGKILL). Anything cut
// short is recorded step by step, and the next start's background retry completes it.
const drainTimeoutMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
let bot: RunningBot;
try {
  bot = await startBot(config, { logger, database });
} catch (err) {
  // A database the bot cannot use as configured (migrations pending for a role that cannot apply
  // them, a bot role with more rights than it should have), or another bot (or `npm run review`…)
  // has the embedded database open: one line, exit 1.
  if (err instanceof DatabaseSetupError || err instanceof DataDirLockedError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal (an impatient Ctrl-C, a repeated SIGTERM) must not cut the drain short.
    if (stopping) {
      logger.warn({ signal }, 'already stopping: still finishing in-flight work');
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping: no new requests, finishing in-flight work');
    const hardStop = setTimeout(() => {
      logger.error(
        { timeoutMs: drainTimeoutMs },
        'in-flight work did not finish in time: exiting; the next start resumes it',
      );
      process.exit(1);
    }, drainTimeoutMs);
    bot.stop().then(
      () => {
        clearTimeout(hardStop);
        logger.info({}, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'stopping failed');
        process.exit(1);
      },
    );
  });
}
