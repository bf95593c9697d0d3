import { SETTLE_MS, isFresh, windowsCovering, type Window } from '../../domain/sync-windows.ts';
import type { LoadScope } from '../../ports/on-call-history.ts';
import { OnCallUnavailable } from '../../ports/on-call-provider.ts';
import type { SyncedWindow } from '../../ports/load-cache.ts';
import type { ServiceDeps } from '../deps.ts';

export interface SyncOutcome {
  /** Windows fetched from the on-call system now. */
  fetched: number;
  /** Why fetching stopped (the on-call system is down, or not connected); null when all went well. */
  failed: string | null;
  /** Whether anything at all is cached for the periods asked. */
  cached: boolean;
  /**
   * How current the figures are: the oldest copy among weeks that were not over when fetched (the
   * current week, usually); null when every week used is complete.
   */
  asOf: Date | null;
  /** Days of each period with no copy at all (never fetched). */
  missingDays: { current: number; previous: number };
}

const DAY = 24 * 3600_000;

/** Days of [from, to) that no stored window covers. */
function missingDays(windows: Window[], stored: Map<number, SyncedWindow>, from: Date, to: Date): number {
  let ms = 0;
  for (const w of windows) {
    if (stored.has(w.start.getTime())) continue;
    ms += Math.max(0, Math.min(w.end.getTime(), to.getTime()) - Math.max(w.start.getTime(), from.getTime()));
  }
  return Math.ceil(ms / DAY);
}

/**
 * Brings the cache of `scope`'s on-call history up to date for the current period [from, to) and the
 * one before it [previousFrom, from): windows that are final or fetched a moment ago are left
 * alone, so a repeated report fetches nothing. The newest weeks are fetched first, so an outage part
 * way loses the comparison before it loses the report. When the on-call system is down, what is
 * cached stays usable: the outcome says how current it is and what is missing.
 */
export async function syncOnCallHistory(
  deps: Pick<ServiceDeps, 'history' | 'loadCache' | 'clock' | 'logger'>,
  scopeKey: string,
  scope: LoadScope,
  periods: { previousFrom: Date; from: Date; to: Date },
  /** false: only say what the cache holds (the App Home tab must not wait on PagerDuty). */
  opts: { fetch?: boolean } = {},
): Promise<SyncOutcome> {
  const fetch = opts.fetch ?? true;
  const { previousFrom, from, to } = periods;
  const now = deps.clock.now();
  const stored = new Map((await deps.loadCache.windows(scopeKey, previousFrom, to)).map((w) => [w.start.getTime(), w]));
  const windows = windowsCovering(previousFrom, to);
  let fetched = 0;
  let failed: string | null = fetch && !deps.history ? 'PagerDuty is not connected' : null;
  for (const w of [...windows].reverse()) {
    const copy = stored.get(w.start.getTime());
    if (!fetch || failed || (copy && isFresh(copy, now))) continue;
    try {
      const until = new Date(Math.min(w.end.getTime(), now.getTime()));
      const data = await deps.history!.fetchWindow(scope, w.start, until);
      await deps.loadCache.saveWindow(scopeKey, w, data, now);
      stored.set(w.start.getTime(), { ...w, fetchedAt: now });
      fetched++;
    } catch (err) {
      if (!(err instanceof OnCallUnavailable)) throw err;
      deps.logger.warn(
        { err, scopeKey, window: w.start.toISOString() },
        'on-call history not fetched; using the cache',
      );
      failed = `PagerDuty did not answer (${err.message})`;
    }
  }
  let asOf: Date | null = null;
  for (const copy of stored.values()) {
    const final = copy.fetchedAt.getTime() >= copy.end.getTime() + SETTLE_MS;
    if (!final && (!asOf || copy.fetchedAt < asOf)) asOf = copy.fetchedAt;
  }
  return {
    fetched,
    failed,
    cached: stored.size > 0,
    asOf,
    missingDays: {
      current: missingDays(windowsCovering(from, to), stored, from, to),
      previous: missingDays(windowsCovering(previousFrom, from), stored, previousFrom, from),
    },
  };
}
