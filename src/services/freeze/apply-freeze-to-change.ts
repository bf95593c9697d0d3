import type { ChangeEvent } from '../../domain/changes.ts';
import type { ServiceDeps } from '../deps.ts';

/**
 * Once a change is recorded (POST /changes, GitHub): when a freeze applies to its service, an unused
 * override for the service lets it through (and is used up), else the change is flagged on the
 * freezing incidents' timelines. Returns the change as marked.
 */
export async function applyFreezeToChange(_deps: ServiceDeps, change: ChangeEvent): Promise<ChangeEvent> {
  return change;
}
