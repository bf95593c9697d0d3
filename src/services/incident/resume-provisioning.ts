import { SYSTEM_DECLARER, incidentRef, type Incident } from '../../domain/incident.ts';
import { MAX_PROVISION_ATTEMPTS, STEP_LABELS } from '../../domain/provisioning.ts';
import type { ServiceDeps } from '../deps.ts';
import { provisionIncident, type ProvisionOutcome } from './provision-incident.ts';
import { tellUser } from '../tell-user.ts';

/** A request that has just declared an incident gets this long to set it up before the retry may. */
export const RESUME_GRACE_MS = 60_000;

/**
 * Carries on declaring incidents whose Slack steps failed or were cut short (a crash, a Slack
 * outage). Runs at start and periodically. Tells the declarer when it is done, or when it gives up.
 */
export async function resumeProvisioning(deps: ServiceDeps, limit = 20): Promise<ProvisionOutcome[]> {
  const now = deps.clock.now();
  const pending = await deps.store.listUnprovisioned(
    MAX_PROVISION_ATTEMPTS,
    limit,
    new Date(now.getTime() - (deps.settings.provisioning?.graceMs ?? RESUME_GRACE_MS)),
    now,
  );
  const outcomes: ProvisionOutcome[] = [];
  for (const incident of pending) {
    const outcome = await provisionIncident(deps, incident.id);
    outcomes.push(outcome);
    await tellResumedOutcome(deps, incident, outcome);
  }
  return outcomes;
}

/**
 * Tells the declarer how a background run of setting up their incident went: done (with the
 * warnings), or given up; nothing while it will be tried again, or when another run finished it.
 * `advice` (a declaration the background retry recorded: a patient-facing service declared low or
 * without clinical impact) is told with it, or alone when nothing else is said.
 */
export async function tellResumedOutcome(
  deps: ServiceDeps,
  incident: Incident,
  outcome: ProvisionOutcome,
  note = '',
  advice: readonly string[] = [],
): Promise<void> {
  const to = {
    responseUrl: incident.responseUrl,
    userId: incident.declaredBy === SYSTEM_DECLARER ? null : incident.declaredBy,
  };
  const ref = incidentRef(incident);
  if (outcome.state === 'complete' && !outcome.alreadyDone) {
    await tellUser(
      deps,
      to,
      [`${ref} is now fully set up in <#${outcome.incident.channelId}>.${note}`, ...outcome.warnings, ...advice].join(
        ' ',
      ),
    );
    return;
  }
  if (advice.length) await tellUser(deps, to, `${ref}: ${advice.join(' ')}`);
  // Finished meanwhile by another run (an overlapping pass, another replica): it told the declarer.
  if (outcome.state === 'complete') return;
  if (outcome.state === 'failed' && outcome.incident.provisionAttempts >= MAX_PROVISION_ATTEMPTS) {
    deps.logger.error({ incidentId: incident.id, step: outcome.step }, 'gave up setting up an incident');
    await tellUser(
      deps,
      to,
      `:x: I gave up setting up ${ref} after ${MAX_PROVISION_ATTEMPTS} attempts: ${STEP_LABELS[outcome.step]} keeps failing (${outcome.reason}). ` +
        `The incident is recorded (id \`${incident.id}\`); ask whoever runs the incident bot to check its access to ${outcome.step === 'invite-on-call' ? 'PagerDuty' : 'Slack'}.`,
    );
  }
}
