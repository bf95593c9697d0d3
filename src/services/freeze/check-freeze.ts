import { freezesOn, freezeVerdict, type ActiveFreeze, type FreezeVerdict } from '../../domain/freeze.ts';
import type { ServiceDeps } from '../deps.ts';
import { deployedService, systemOfService } from './freeze-helpers.ts';

/**
 * May `name` (a catalog service, its title, a repository, or any name a pipeline uses) be deployed
 * now? The verdict as it may leave the incidents (see publicFreeze: a private incident's freeze
 * gives its reference only; reasons through the PHI guard), with the freezes in force on it (its
 * own, its system's, every service's). An override counts only when every incident freezing the
 * service gave one (as the protection rule and a reported change use them). Reads only: an override
 * is never used up here (the deployment it lets through uses it when reported).
 */
export async function checkFreeze(
  deps: ServiceDeps,
  name: string,
): Promise<{ verdict: FreezeVerdict; freezes: ActiveFreeze[] }> {
  const service = deployedService(deps, name);
  const system = systemOfService(deps, service);
  const freezes = freezesOn(await deps.freezes.activeFor(service, system), service, system);
  if (!freezes.length) return { verdict: { frozen: false, service }, freezes };
  const overrides = await deps.freezes.nextOverrides(service, system);
  return { verdict: freezeVerdict(service, freezes, overrides, system), freezes };
}
