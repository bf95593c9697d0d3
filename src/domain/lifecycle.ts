import { AppError } from './errors.ts';
import { STATUS_LABELS, type Incident, type IncidentStatus } from './incident.ts';

/**
 * The incident lifecycle: declared → investigating → identified → monitoring → resolved → closed.
 * Active states may skip ahead or step back (a fix that did not hold); resolved only goes on to
 * closed; leaving resolved or closed for investigating is a reopen, which must be asked for.
 */
const MOVES: Record<IncidentStatus, readonly IncidentStatus[]> = {
  DECLARED: ['INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED'],
  INVESTIGATING: ['IDENTIFIED', 'MONITORING', 'RESOLVED'],
  IDENTIFIED: ['INVESTIGATING', 'MONITORING', 'RESOLVED'],
  MONITORING: ['INVESTIGATING', 'IDENTIFIED', 'RESOLVED'],
  RESOLVED: ['CLOSED'],
  CLOSED: [],
};
const REOPENABLE: readonly IncidentStatus[] = ['RESOLVED', 'CLOSED'];

export function isActive(status: IncidentStatus): boolean {
  return status !== 'RESOLVED' && status !== 'CLOSED';
}

/**
 * Whether a SEV1 change freeze belongs to the incident: SEV1, active, not a near miss nor a drill. The
 * incident store writes this rule in SQL (prisma-incident-store.ts: decideFreezeIn, decideFreeze),
 * decided from the stored row under the change's lock: keep the two alike.
 */
export function freezeApplies(
  i: Pick<Incident, 'severity' | 'status' | 'nearMiss'> & Partial<Pick<Incident, 'drill'>>,
): boolean {
  // A drill rehearses a SEV1 without holding up real deployments.
  return i.severity === 'SEV1' && isActive(i.status) && !i.nearMiss && !i.drill;
}

export function allowedMoves(from: IncidentStatus): readonly IncidentStatus[] {
  return MOVES[from];
}

const label = (s: IncidentStatus) => STATUS_LABELS[s].toLowerCase();

/** Throws AppError (saying what is allowed) unless `from` → `to` is a legal move. */
export function assertTransition(from: IncidentStatus, to: IncidentStatus, opts: { reopen?: boolean } = {}): void {
  if (opts.reopen) {
    if (REOPENABLE.includes(from) && to === 'INVESTIGATING') return;
    throw new AppError(
      `Only a resolved or closed incident can be reopened; this one is ${label(from)}.`,
      'invalid_transition',
    );
  }
  if (from === to) throw new AppError(`The incident is already ${label(to)}.`, 'invalid_transition');
  if (MOVES[from].includes(to)) return;
  if (REOPENABLE.includes(from)) {
    const next = MOVES[from].length ? ` It can only be ${MOVES[from].map(label).join(' or ')}.` : '';
    throw new AppError(
      `The incident is ${label(from)}.${next} To work on it again, reopen it with \`/incident reopen [reason]\`.`,
      'invalid_transition',
    );
  }
  throw new AppError(
    `An incident that is ${label(from)} cannot go to ${label(to)}. It can go to: ${MOVES[from].map(label).join(', ')}.`,
    'invalid_transition',
  );
}
