import type { ServiceDeps } from './deps.ts';

/**
 * Tells one person something privately: through the response URL of their request while it is
 * valid (Slack keeps them 30 minutes), else by direct message. Never throws: failing that, it logs.
 */
export async function tellUser(
  deps: Pick<ServiceDeps, 'chat' | 'logger'>,
  to: { responseUrl: string | null; userId: string | null },
  text: string,
): Promise<void> {
  if (to.responseUrl) {
    try {
      return await deps.chat.replyPrivately(to.responseUrl, text);
    } catch (err) {
      deps.logger.warn({ err }, 'response_url failed; sending a direct message instead');
    }
  }
  if (to.userId) {
    try {
      return await deps.chat.directMessage(to.userId, text);
    } catch (err) {
      deps.logger.error({ err, userId: to.userId }, 'could not tell the user');
      return;
    }
  }
  deps.logger.warn({ text }, 'nobody to tell');
}
