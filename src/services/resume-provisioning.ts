import { MAX_PROVISION_ATTEMPTS } from '../domain/provisioning.ts';
import type { ServiceDeps } from './deps.ts';
import { provisionIncident, type ProvisionOutcome } from './provision-incident.ts';

/**
 * Carries on declaring incidents whose Slack steps failed or were cut short (a crash, a Slack
 * outage). Runs at start and periodically. Tells the declarer when a retry completes.
 */
export async function resumeProvisioning(deps: ServiceDeps, limit = 20): Promise<ProvisionOutcome[]> {
  const pending = await deps.store.listUnprovisioned(MAX_PROVISION_ATTEMPTS, limit);
  const outcomes: ProvisionOutcome[] = [];
  for (const incident of pending) {
    const outcome = await provisionIncident(deps, incident.id);
    outcomes.push(outcome);
    if (outcome.state === 'complete' && incident.provisionAttempts > 0 && incident.responseUrl) {
      await deps.chat
        .replyPrivately(
          incident.responseUrl,
          `INC-${incident.number} is now fully set up in <#${outcome.incident.channelId}> after a retry.`,
        )
        .catch((err) => deps.logger.warn({ err, incidentId: incident.id }, 'could not tell the declarer'));
    }
  }
  return outcomes;
}
