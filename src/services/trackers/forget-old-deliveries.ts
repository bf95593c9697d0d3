import { TRACKER_EVENT_MAX_AGE_MS } from '../../domain/trackers.ts';
import type { ServiceDeps } from '../deps.ts';

/**
 * Forgets the tracker deliveries received more than twice the age any is applied at (older ones
 * are refused by their age, so remembering them guards nothing): the background sweep's, not a
 * pass after each change. How many were forgotten.
 */
export function forgetOldDeliveries(deps: ServiceDeps): Promise<number> {
  return deps.trackerLinks.purgeDeliveries(new Date(deps.clock.now().getTime() - 2 * TRACKER_EVENT_MAX_AGE_MS));
}
