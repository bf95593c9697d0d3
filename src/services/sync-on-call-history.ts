import { isFresh, windowsCovering } from '../domain/sync-windows.ts';
import type { LoadScope } from '../ports/on-call-history.ts';
import { OnCallUnavailable } from '../ports/on-call-provider.ts';
import type { ServiceDeps } from './deps.ts';

export interface SyncOutcome {
  /** Windows fetched from the on-call system now. */
  fetched: number;
  /** Why fetching stopped (the on-call system is down, or not connected); null when all went well. */
  failed: string | null;
  /** The oldest copy of any window the figures rest on (null: nothing cached). */
  asOf: Date | null;
  /** Days of the period with no copy at all (never fetched). */
  missingDays: number;
}

/**
 * Brings the cache of `scope`'s on-call history up to date for [from, to): windows that are final
 * or fetched a moment ago are left alone, so a repeated report fetches nothing. When the on-call
 * system is down, what is cached stays usable: the outcome says how old it is and what is missing.
 */
export async function syncOnCallHistory(
  deps: Pick<ServiceDeps, 'history' | 'loadCache' | 'clock' | 'logger'>,
  scopeKey: string,
  scope: LoadScope,
  from: Date,
  to: Date,
  /** false: only say what the cache holds (the App Home tab must not wait on PagerDuty). */
  opts: { fetch?: boolean } = {},
): Promise<SyncOutcome> {
  const fetch = opts.fetch ?? true;
  const now = deps.clock.now();
  const stored = new Map((await deps.loadCache.windows(scopeKey, from, to)).map((w) => [w.start.getTime(), w]));
  let fetched = 0;
  let failed: string | null = fetch && !deps.history ? 'PagerDuty is not connected' : null;
  for (const w of windowsCovering(from, to)) {
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
      deps.logger.warn({ err, scopeKey, window: w.start.toISOString() }, 'on-call history not fetched; using the cache');
      failed = `PagerDuty did not answer (${err.message})`;
    }
  }
  let asOf: Date | null = null;
  let missingMs = 0;
  for (const w of windowsCovering(from, to)) {
    const copy = stored.get(w.start.getTime());
    const overlap = Math.min(w.end.getTime(), to.getTime()) - Math.max(w.start.getTime(), from.getTime());
    if (!copy) missingMs += Math.max(0, overlap);
    else if (!asOf || copy.fetchedAt < asOf) asOf = copy.fetchedAt;
  }
  return { fetched, failed, asOf, missingDays: Math.ceil(missingMs / (24 * 3600_000)) };
}
