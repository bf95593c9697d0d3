import { serviceNamed, serviceOfRepository, type CatalogService } from '../../domain/catalog.ts';
import type { ChangeEvent, NewChangeEvent } from '../../domain/changes.ts';
import { RETRY_WINDOW_MS } from '../../domain/change-event-input.ts';
import { cleanUnstorable } from '../../domain/storable-text.ts';
import type { ServiceDeps } from '../deps.ts';
import { applyFreezeToChange } from '../freeze/apply-freeze-to-change.ts';
import { redrawSummariesForChange } from './redraw-summaries-for-change.ts';

/** A change as received, before the catalog is asked what it is. */
export type ReceivedChange = Omit<NewChangeEvent, 'serviceName' | 'system' | 'owner'>;

/** The catalog service a change is to: by name (POST /changes), or for GitHub by repository (`owner/repo`), else its name. */
export function serviceOfChange(
  deps: Pick<ServiceDeps, 'catalog'>,
  change: Pick<ReceivedChange, 'service'>,
  repository?: string,
): CatalogService | null {
  const catalog = deps.catalog.current();
  if (repository) {
    return serviceOfRepository(catalog, repository) ?? serviceNamed(catalog, repository.split('/').pop() ?? repository);
  }
  return serviceNamed(catalog, change.service);
}

/**
 * Records a change to production (POST /changes, a GitHub deployment or merged pull request): the
 * catalog service it matched (its system and owner; none: stored as unknown, never dropped), once
 * whatever the redeliveries (its sourceKey; `retryKeys`: keys an earlier delivery of it may have).
 * A new change then meets the freezes (applyFreezeToChange) and the pinned summaries of the active
 * incidents it concerns are redrawn; a failure there is logged, the change stays recorded.
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
    if (retry) return { change: retry, created: false };
  }
  const service = serviceOfChange(deps, received, input.repository);
  const recorded = await deps.changes.record(
    {
      ...received,
      serviceName: service?.name ?? null,
      system: service ? (service.kind === 'System' ? service.name : service.system) : null,
      owner: service?.owner ?? null,
    },
    deps.clock.now(),
  );
  if (!recorded.created) return recorded;
  let change = recorded.change;
  try {
    change = await applyFreezeToChange(deps, change);
  } catch (err) {
    deps.logger.error({ err, changeId: change.id }, 'the change was recorded, but not checked against the freezes');
  }
  await redrawSummariesForChange(deps, change).catch((err) =>
    deps.logger.warn({ err, changeId: change.id }, 'summaries not redrawn after a change'),
  );
  return { change, created: true };
}
