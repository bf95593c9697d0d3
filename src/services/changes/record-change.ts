import { serviceNamed, systemOf, type CatalogService } from '../../domain/catalog.ts';
import { serviceOfRepositorySlug } from '../../domain/repository-service.ts';
import type { ChangeEvent, NewChangeEvent } from '../../domain/changes.ts';
import { RETRY_WINDOW_MS } from '../../domain/change-event-input.ts';
import { cleanUnstorable } from '../../domain/storable-text.ts';
import type { ServiceDeps } from '../deps.ts';
import { applyFreezeToChange } from '../freeze/apply-freeze-to-change.ts';
import { redrawSummariesForChange } from './redraw-summaries-for-change.ts';

/** A change as received, before the catalog is asked what it is. */
export type ReceivedChange = Omit<NewChangeEvent, 'serviceName' | 'system' | 'owner'>;

/**
 * What a change is to: by name (POST /changes), or for GitHub by repository (`owner/repo`): with a
 * catalog, only the service whose `github.com/project-slug` is the full slug; without one, the
 * repository's name when its owner is allowed (so that it meets incidents on that free-text name).
 * `serviceName` null: unknown.
 */
export function serviceOfChange(
  deps: Pick<ServiceDeps, 'catalog'> & { settings?: Pick<ServiceDeps['settings'], 'githubAllowedOwners'> },
  change: Pick<ReceivedChange, 'service'>,
  repository?: string,
): { serviceName: string | null; system: string | null; owner: string | null } {
  const catalog = deps.catalog.current();
  let service: CatalogService | null;
  if (repository) {
    const found = serviceOfRepositorySlug(catalog, repository, deps.settings?.githubAllowedOwners);
    if (found && !found.service) return { serviceName: found.name, system: null, owner: null };
    service = found?.service ?? null;
  } else service = serviceNamed(catalog, change.service);
  return {
    serviceName: service?.name ?? null,
    system: service ? systemOf(service) : null,
    owner: service?.owner ?? null,
  };
}

/**
 * Records a change to production (POST /changes, a GitHub deployment or merged pull request): the
 * catalog service it matched (its system and owner; none: stored as unknown, never dropped), once
 * whatever the redeliveries (its sourceKey; `retryKeys`: keys an earlier delivery of it may have).
 * A new change then meets the freezes (applyFreezeToChange; a change delivered again that is not
 * marked meets them again) and the pinned summaries of the active incidents it concerns are redrawn.
 * A failed freeze check is thrown (the change stays recorded; the sender's retry checks it again);
 * a failed redraw is logged.
 */
export async function recordChange(
  deps: ServiceDeps,
  input: { change: ReceivedChange; repository?: string; retryKeys?: readonly string[] },
): Promise<{ change: ChangeEvent; created: boolean }> {
  const received = cleanUnstorable(input.change).value;
  if (input.retryKeys?.length) {
    const earlier = await deps.changes.changesTo({
      services: [received.service],
      systems: [],
      from: new Date(received.occurredAt.getTime() - 2 * RETRY_WINDOW_MS),
      to: new Date(received.occurredAt.getTime() + 1),
      limit: 200,
    });
    const retry = earlier.find((c) => input.retryKeys!.includes(c.sourceKey));
    if (retry) return { change: await checkAgain(deps, retry), created: false };
  }
  const recorded = await deps.changes.record(
    { ...received, ...serviceOfChange(deps, received, input.repository) },
    deps.clock.now(),
  );
  if (!recorded.created) return { change: await checkAgain(deps, recorded.change), created: false };
  let change = recorded.change;
  try {
    change = await applyFreezeToChange(deps, change);
  } catch (err) {
    // Thrown: the sender is answered an error and retries; the retry (a duplicate) checks it again.
    deps.logger.error({ err, changeId: change.id }, 'the change was recorded, but not checked against the freezes');
    throw err;
  }
  await redrawSummariesForChange(deps, change).catch((err) =>
    deps.logger.warn({ err, changeId: change.id }, 'summaries not redrawn after a change'),
  );
  return { change, created: true };
}

/**
 * A change delivered again: when it is neither flagged nor let through by an override, its freeze
 * check is run again (the first delivery's may have failed after the change was stored, and its
 * sender was answered an error; the check is idempotent: an override records the change it let
 * through, a flag is written once per change). A failure is thrown again: the sender retries.
 */
async function checkAgain(deps: ServiceDeps, change: ChangeEvent): Promise<ChangeEvent> {
  if (change.flagged || change.overrideId) return change;
  return applyFreezeToChange(deps, change);
}
