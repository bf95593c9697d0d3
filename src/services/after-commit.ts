// What a feature does once another feature's change is recorded: the incident's use cases know
// nothing of reviews, yet resolving an incident (or recording a near miss) posts its review. The
// review feature registers a hook (src/services/review/after-commit.ts), startBot lists the hooks
// in ServiceDeps.afterCommit, and the incident's use cases call runAfterCommit. Dependencies point
// one way: review → incident's events, never incident → review.
import type { Incident } from '../domain/incident.ts';
import type { IncidentChange } from '../ports/incident-store.ts';
import type { ServiceDeps } from './deps.ts';

/** A change that is recorded (and Slack told of it), as the hooks see it. */
export type Committed =
  /** A change through commitChange: the incident before and after, what changed, and who changed it (the entry's actor). */
  | { kind: 'changed'; before: Incident; after: Incident; change: IncidentChange; by?: string | null }
  /** A new incident whose Slack steps are all done. */
  | { kind: 'provisioned'; incident: Incident };

/** Runs after a change is recorded. Its failure is logged: the record stands. */
export type AfterCommit = (deps: ServiceDeps, event: Committed) => Promise<void>;

/** Runs every hook of `deps.afterCommit` in turn; one failing does not stop the others or the caller. */
export async function runAfterCommit(deps: ServiceDeps, event: Committed): Promise<void> {
  for (const hook of deps.afterCommit) {
    await hook(deps, event).catch((err: unknown) => {
      const incidentId = event.kind === 'changed' ? event.after.id : event.incident.id;
      deps.logger.error({ err, incidentId, event: event.kind }, 'an after-commit hook failed after a recorded change');
    });
  }
}
