import type { Logger } from './logger.ts';

/**
 * The last-resort net of the bot's process: a promise rejected with nobody to handle it is logged
 * and the process carries on, instead of Node's default of exiting (one bad request must not take
 * every incident's bot down). Every known path handles its own errors; this is for the unknown
 * ones, and each line it logs is a bug to fix. Returns a function that removes the net (tests).
 */
export function logUnhandledRejections(logger: Logger, proc: NodeJS.EventEmitter = process): () => void {
  const onRejection = (reason: unknown) => {
    logger.error(
      { err: reason },
      'unhandled promise rejection: logged, the process carries on (a bug: please report it)',
    );
  };
  proc.on('unhandledRejection', onRejection);
  return () => void proc.off('unhandledRejection', onRejection);
}
