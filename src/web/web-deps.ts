import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { WebSessionStore } from '../ports/web-sessions.ts';
import type { WebDeps } from './context.ts';

/** How long the answer to "which private channels is this person in?" is kept. */
export const MEMBERSHIP_TTL_MS = 60_000;
/** People whose answers are kept at most (the oldest goes first). */
const MEMBERSHIP_CACHE_MAX = 2_000;

/**
 * `chat.privateChannelsOf`, each person's answer kept MEMBERSHIP_TTL_MS (someone removed from a
 * channel loses it within a minute); a failure is logged and counts as no private channel.
 */
export function cachedPrivateChannels(deps: Pick<ServiceDeps, 'chat' | 'clock' | 'logger'>) {
  const cache = new Map<string, { at: number; channels: ReadonlySet<string> }>();
  return async (userId: string): Promise<ReadonlySet<string>> => {
    const now = deps.clock.now().getTime();
    const hit = cache.get(userId);
    if (hit && now - hit.at < MEMBERSHIP_TTL_MS && now >= hit.at) return hit.channels;
    try {
      const channels = await deps.chat.privateChannelsOf(userId);
      cache.delete(userId);
      cache.set(userId, { at: now, channels });
      if (cache.size > MEMBERSHIP_CACHE_MAX) cache.delete(cache.keys().next().value!);
      return channels;
    } catch (err) {
      deps.logger.warn(
        { err, userId },
        'could not ask Slack which private channels a person is in: their private incidents stay hidden',
      );
      return new Set();
    }
  };
}

/**
 * The web view's dependencies when WEB_BASE_URL, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and
 * WEB_SESSION_SECRET are set (the config checks they come together); null (no /web) otherwise.
 */
export function webFromConfig(
  config: Config,
  deps: ServiceDeps,
  sessions: WebSessionStore,
  botTeamId: () => Promise<string | null>,
  logger: Logger,
): WebDeps | null {
  if (!config.WEB_BASE_URL || !config.SLACK_CLIENT_ID || !config.SLACK_CLIENT_SECRET || !config.WEB_SESSION_SECRET)
    return null;
  const teamId = config.SLACK_TEAM_ID;
  return {
    deps,
    sessions,
    logger,
    settings: {
      baseUrl: config.WEB_BASE_URL,
      clientId: config.SLACK_CLIENT_ID,
      clientSecret: config.SLACK_CLIENT_SECRET,
      sessionSecret: config.WEB_SESSION_SECRET,
      sessionHours: config.WEB_SESSION_HOURS,
      issuer: config.SLACK_OIDC_ISSUER,
      teamId: teamId ? async () => teamId : botTeamId,
    },
    privateChannelsOf: cachedPrivateChannels(deps),
  };
}
