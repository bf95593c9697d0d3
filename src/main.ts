import { ConfigError, loadConfig } from './config.ts';
import { startBot } from './app.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { createLogger } from './logger.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger(config.LOG_LEVEL);
// How long a stop may take to drain in-flight work before the process gives up and exits non-zero
// (by default under the 30 s a container orchestrator usually grants before SIGKILL). Anything cut
// short is recorded step by step, and the next start's background retry completes it.
const drainTimeoutMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
const bot = await startBot(config, { logger }).catch((err: unknown) => {
  // Another bot (or `npm run review`…) has the embedded database open: one line, exit 1.
  if (!(err instanceof DataDirLockedError)) throw err;
  console.error(err.message);
  process.exit(1);
});
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
      logger.error({ timeoutMs: drainTimeoutMs }, 'in-flight work did not finish in time: exiting; the next start resumes it');
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
