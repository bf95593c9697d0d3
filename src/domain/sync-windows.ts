// The on-call history cache is filled in fixed windows, so a repeated report finds what it needs.

/** Windows are seven days long and start on a Monday 00:00 UTC (1970-01-05 was one). */
export const SYNC_WINDOW_MS = 7 * 24 * 3600_000;
const EPOCH_MONDAY = Date.UTC(1970, 0, 5);
/** A window fetched at least this long after its end is final: PagerDuty's log may lag a little. */
export const SETTLE_MS = 15 * 60_000;
/** A window not yet final is fetched again when its copy is older than this. */
export const REFRESH_MS = 10 * 60_000;

export interface Window {
  start: Date;
  end: Date;
}

/** The aligned windows that cover [from, to), oldest first. */
export function windowsCovering(from: Date, to: Date): Window[] {
  const out: Window[] = [];
  let start = EPOCH_MONDAY + Math.floor((from.getTime() - EPOCH_MONDAY) / SYNC_WINDOW_MS) * SYNC_WINDOW_MS;
  for (; start < to.getTime(); start += SYNC_WINDOW_MS)
    out.push({ start: new Date(start), end: new Date(start + SYNC_WINDOW_MS) });
  return out;
}

/** Whether a stored copy of a window is good enough at `now`: final, or fetched recently. */
export function isFresh(w: Window & { fetchedAt: Date }, now: Date): boolean {
  if (w.fetchedAt.getTime() >= w.end.getTime() + SETTLE_MS) return true;
  return now.getTime() - w.fetchedAt.getTime() < REFRESH_MS;
}
