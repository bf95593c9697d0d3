import type { IncidentStatus } from './incident.ts';

export interface StatusChange {
  at: Date;
  to: IncidentStatus;
}

export interface IncidentDurations {
  /** Declared → first move out of "declared". */
  toAcknowledgeMs: number | null;
  /** Declared → first "monitoring" (or "resolved" when monitoring was skipped). */
  toMitigateMs: number | null;
  /** Declared → the latest "resolved"; null while a reopen has not been resolved again. */
  toResolveMs: number | null;
}

/** Key durations, computed from the status changes on the timeline. */
export function incidentDurations(declaredAt: Date, changes: StatusChange[]): IncidentDurations {
  const sorted = [...changes].sort((a, b) => a.at.getTime() - b.at.getTime());
  const since = (c: StatusChange | undefined) => (c ? c.at.getTime() - declaredAt.getTime() : null);
  let lastResolved: StatusChange | undefined;
  for (const c of sorted) {
    if (c.to === 'RESOLVED') lastResolved = c;
    else if (c.to !== 'CLOSED') lastResolved = undefined; // reopened
  }
  return {
    toAcknowledgeMs: since(sorted.find((c) => c.to !== 'DECLARED')),
    toMitigateMs: since(sorted.find((c) => c.to === 'MONITORING' || c.to === 'RESOLVED')),
    toResolveMs: since(lastResolved),
  };
}

/** 1h 05m, 12m, 45s. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h ${String(m).padStart(2, '0')}m`;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m`;
  return `${s}s`;
}
