import { AppError } from '../../domain/errors.ts';
import {
  deploymentRef,
  environmentProtected,
  freezesOn,
  freezeVerdict,
  freezingIncidents,
  overrideComment,
  rejectionComment,
  usedByText,
} from '../../domain/freeze.ts';
import { incidentRef } from '../../domain/incident.ts';
import type { ServiceDeps } from '../deps.ts';
import { deployedService, freezeEnvironments, systemOfService, tellIncidents } from './freeze-helpers.ts';

/** A deployment waiting on the bot's deployment protection rule (GitHub's `deployment_protection_rule`). */
export interface DeploymentToReview {
  deploymentId: number;
  /** owner/repo */
  repository: string;
  environment: string;
  /** Where the answer goes (GitHub's API). */
  callbackUrl: string;
  installationId: number | null;
  /** Who started it (a GitHub login), and what. */
  creator: string | null;
  ref: string | null;
  sha: string | null;
}

/**
 * The protection rule: a deployment of a frozen service (its own freeze, its system's, every
 * service's) is rejected, unless EVERY incident freezing it gave an override of the service that is
 * still valid: then one of each is used up (once per deployment: a redelivered webhook gets the same
 * answer and uses no second ones). A service not frozen is approved, and so is a deployment to an
 * environment the freeze does not protect (FREEZE_ENVIRONMENTS, default production: a staging
 * deployment goes ahead at once). The service is the catalog's for the repository
 * (github.com/project-slug), else the repository's name. What was decided is on the freezing
 * incidents' timelines (recorded before GitHub is answered) and told in their channels. GitHub's
 * comment names the incidents by reference only (it is readable by whoever reads the repository).
 */
export async function reviewDeployment(
  deps: ServiceDeps,
  d: DeploymentToReview,
): Promise<{ state: 'approved' | 'rejected'; service: string }> {
  const codeHost = deps.codeHost;
  if (!codeHost) {
    throw new AppError(
      'No code host is configured (GitHub App settings): a deployment protection rule cannot be answered.',
      'no_code_host',
    );
  }
  const service = deployedService(deps, d.repository);
  const system = systemOfService(deps, service);
  const ref = deploymentRef(d.deploymentId);
  const what = usedByText(ref, [d.repository, d.environment]);
  const answer = (state: 'approved' | 'rejected', comment: string) =>
    codeHost.reviewDeployment({
      callbackUrl: d.callbackUrl,
      installationId: d.installationId,
      environment: d.environment,
      state,
      comment,
    });
  // Approved at once: the freeze protects only FREEZE_ENVIRONMENTS (default production).
  if (!environmentProtected(d.environment, freezeEnvironments(deps))) {
    await answer('approved', `The change freeze does not apply to the ${d.environment} environment.`);
    return { state: 'approved', service };
  }
  const freezes = freezesOn(await deps.freezes.activeFor(service, system), service, system);
  if (!freezes.length) {
    await answer('approved', `No change freeze on ${service}.`);
    return { state: 'approved', service };
  }
  const now = deps.clock.now();
  const by = d.creator ? ` by ${d.creator}` : '';
  const used = await deps.freezes.useOverrides({ service, system, ref, usedBy: what, at: now }, (o) => ({
    occurredAt: now,
    kind: 'freeze_override_used',
    actorId: null,
    text: `Override used: ${what}${by} went through the freeze on ${service}, as <@${o.approvedBy}> approved: ${o.reason}`,
    data: { service, deployment: ref, repository: d.repository, environment: d.environment, approvedBy: o.approvedBy },
  }));
  if (used) {
    if (used.fresh) {
      for (const o of used.overrides)
        await tellIncidents(deps, [o.incidentId], service, `${what}${by}`, 'let-through', o.approvedBy);
    }
    await answer(
      'approved',
      overrideComment(
        service,
        used.overrides.map((o) => incidentRef({ number: o.incidentNumber })),
      ),
    );
    return { state: 'approved', service };
  }
  // Once per deployment on each timeline: a redelivered webhook is answered again, not written again.
  const told = await deps.freezes.addEntries(
    freezingIncidents(freezes),
    {
      occurredAt: now,
      kind: 'freeze_deployment_rejected',
      actorId: null,
      text: `Deployment held by the freeze: ${what}${by} was rejected (GitHub deployment protection rule)`,
      data: {
        service,
        deployment: ref,
        repository: d.repository,
        environment: d.environment,
        sha: d.sha,
        gitRef: d.ref,
      },
    },
    ref,
  );
  await tellIncidents(deps, told, service, `${what}${by}`, 'held', null);
  const verdict = freezeVerdict(service, freezes, null, system);
  await answer('rejected', verdict.frozen ? rejectionComment(verdict) : `Change freeze on ${service}.`);
  return { state: 'rejected', service };
}
