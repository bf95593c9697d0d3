import type { BreachNotification } from '../../domain/breach-assessment.ts';
import type { NotificationTarget } from '../../domain/breach-notification.ts';
import type { BreachRegime } from '../../domain/breach-regimes.ts';
import type { Incident } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { namedNotification, shownNotification } from './notification-parts.ts';

/** Which notification a step is of: typed (`approve ico`), or the version a button showed. */
export type WhichNotification =
  | { target: NotificationTarget; regime: BreachRegime | null }
  | { shown: { id: string; draftedAt: Date } };

export function whichNotification(
  deps: ServiceDeps,
  incident: Incident,
  which: WhichNotification,
): Promise<BreachNotification> {
  return 'shown' in which
    ? shownNotification(deps, incident, which.shown)
    : namedNotification(deps, incident, which.target, which.regime);
}
