import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { WebSessionStore } from '../ports/web-sessions.ts';
import type { Standing, StandingCheck, WebDeps } from './context.ts';

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

/** How long Slack's answer to "is this person still a full member?" is kept during a session. */
export const STANDING_TTL_MS = 10 * 60_000;
/** When Slack could not be asked, it is asked again after this (the last answer kept meanwhile). */
const STANDING_RETRY_MS = 60_000;

/**
 * Whether a signed-in person is still a full active member of the workspace: Slack (users.info) is
 * asked at most every STANDING_TTL_MS per person, so a deactivated person, or one made a guest,
 * loses the web view within ten minutes. When Slack cannot be asked, the last answer is kept and a
 * warning logged: the web view stays readable during a Slack outage (sign-in itself fails closed).
 */
export function cachedStanding(deps: Pick<ServiceDeps, 'chat' | 'clock' | 'logger'>): StandingCheck {
  const cache = new Map<string, { at: number; standing: Standing }>();
  const keep = (userId: string, at: number, standing: Standing) => {
    cache.delete(userId);
    cache.set(userId, { at, standing });
    if (cache.size > MEMBERSHIP_CACHE_MAX) cache.delete(cache.keys().next().value!);
  };
  return {
    remember: (userId, standing) => keep(userId, deps.clock.now().getTime(), standing),
    forget: (userId) => void cache.delete(userId),
    async check(userId) {
      const now = deps.clock.now().getTime();
      const hit = cache.get(userId);
      if (hit && now - hit.at < STANDING_TTL_MS && now >= hit.at) return hit.standing;
      try {
        const { standing } = await deps.chat.memberStanding(userId);
        keep(userId, now, standing);
        return standing;
      } catch (err) {
        // The session was opened by a full member (sign-in checked): with no later answer, that one stands.
        const last = hit?.standing ?? 'member';
        deps.logger.warn(
          { err, userId, kept: last },
          'could not ask Slack whether a web view user is still a member: their last known standing is kept',
        );
        keep(userId, now - STANDING_TTL_MS + STANDING_RETRY_MS, last);
        return last;
      }
    },
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
      sessionIdleMinutes: config.WEB_SESSION_IDLE_MINUTES,
      issuer: config.SLACK_OIDC_ISSUER,
      teamId: teamId ? async () => teamId : botTeamId,
    },
    privateChannelsOf: cachedPrivateChannels(deps),
    standing: cachedStanding(deps),
    namesOf: cachedNames(deps),
  };
}

/** How long a member's name is kept. */
export const NAME_TTL_MS = 3_600_000;
/** Names kept at most (the oldest goes first). */
const NAME_CACHE_MAX = 5_000;

/**
 * `chat.displayNames`, each name kept NAME_TTL_MS; the ids not kept are asked together. A failure
 * is logged and leaves them out (the page shows their ids).
 */
export function cachedNames(deps: Pick<ServiceDeps, 'chat' | 'clock' | 'logger'>) {
  // An id Slack has no name for is kept too (as null), so that it is not asked again on every page.
  const cache = new Map<string, { at: number; name: string | null }>();
  const keep = (id: string, at: number, name: string | null) => {
    cache.delete(id);
    cache.set(id, { at, name });
    if (cache.size > NAME_CACHE_MAX) cache.delete(cache.keys().next().value!);
  };
  return async (userIds: readonly string[]): Promise<ReadonlyMap<string, string>> => {
    const now = deps.clock.now().getTime();
    const found = new Map<string, string>();
    const ask: string[] = [];
    for (const id of new Set(userIds)) {
      const hit = cache.get(id);
      if (hit && now - hit.at < NAME_TTL_MS && now >= hit.at) {
        if (hit.name !== null) found.set(id, hit.name);
      } else ask.push(id);
    }
    if (ask.length) {
      const names = await deps.chat.displayNames(ask).catch((err: unknown) => {
        deps.logger.warn({ err }, 'could not ask Slack for people’s names: the page shows their ids');
        return null;
      });
      // A failure to ask keeps nothing (asked again next time); an answer keeps every id asked.
      if (names)
        for (const id of ask) {
          const name = names.get(id) ?? null;
          if (name !== null) found.set(id, name);
          keep(id, now, name);
        }
    }
    return found;
  };
}
