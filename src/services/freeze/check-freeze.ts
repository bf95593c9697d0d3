import { freezesOn, freezeVerdict, type ActiveFreeze, type FreezeVerdict } from '../../domain/freeze.ts';
import type { ServiceDeps } from '../deps.ts';
import { deployedService } from './freeze-helpers.ts';

/**
 * May `name` (a catalog service, its title, a repository, or any name a pipeline uses) be deployed
 * now? The verdict as it may leave the incidents (see publicFreeze: a private incident's freeze
 * gives its reference only; reasons through the PHI guard), with the freezes in force on it. Reads
 * only: an override is never used up here (the deployment it lets through uses it when reported).
 */
export async function checkFreeze(
  deps: ServiceDeps,
  name: string,
): Promise<{ verdict: FreezeVerdict; freezes: ActiveFreeze[] }> {
  const service = deployedService(deps, name);
  const freezes = freezesOn(await deps.freezes.activeFor(service), service);
  if (!freezes.length) return { verdict: { frozen: false, service }, freezes };
  const override = await deps.freezes.nextOverride(service);
  return { verdict: freezeVerdict(service, freezes, override), freezes };
}
