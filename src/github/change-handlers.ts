// GitHub's webhooks that are changes to production: a successful deployment (deployment_status) and
// a merged pull request (pull_request closed with merged true), recorded by recordChange. The route
// checked the signature and GitHub's schema; each handler still parses with zod the fields it uses.
import { z } from 'zod';
import { actingAs } from '../audit-context.ts';
import { githubDeploymentKey } from '../domain/change-event-input.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { recordChange } from '../services/changes/record-change.ts';
import type { GitHubDelivery, GitHubEventHandler } from './webhook-route.ts';

const login = z.object({ login: z.string().min(1).max(100) });
const repository = z.object({
  full_name: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
  name: z.string().min(1).max(100),
  default_branch: z.string().max(255).nullish(),
});
const installation = z
  .object({ id: z.number().int().positive() })
  .nullish()
  .transform((i) => i?.id ?? null);
const webUrl = z
  .string()
  .max(2000)
  .refine((s) => /^https?:\/\/[^\s]+$/.test(s));
/** A link, or nothing when it is empty or not http(s). */
const link = z.preprocess(
  (v) => (typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v) ? v : null),
  webUrl.nullable(),
);
const time = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const deploymentStatusPayload = z.object({
  deployment_status: z.object({
    state: z.string().max(50),
    environment: z.string().max(255),
    target_url: link.optional(),
    environment_url: link.optional(),
    created_at: time,
  }),
  deployment: z.object({
    id: z.number().int().positive(),
    ref: z.string().max(255),
    sha: z.string().max(64),
    environment: z.string().max(255),
    description: z.string().max(1000).nullish(),
    url: link,
    creator: login.nullish(),
  }),
  repository,
  installation,
});

const pullRequestPayload = z.object({
  action: z.literal('closed'),
  number: z.number().int().positive(),
  pull_request: z.object({
    title: z.string().max(1000),
    html_url: link,
    merged: z.boolean().nullish(),
    merged_at: time.nullish(),
    closed_at: time.nullish(),
    merge_commit_sha: z.string().max(64).nullish(),
    base: z.object({ ref: z.string().max(255) }),
    user: login.nullish(),
  }),
  repository,
  installation,
});

const shortSha = (sha: string) => sha.slice(0, 12);

/** deployment_status: a `success` status records the deployment as a `deploy` change, once per deployment. */
export function deploymentStatusHandler(deps: ServiceDeps): GitHubEventHandler {
  return {
    actions: ['created'],
    async handle(delivery: GitHubDelivery) {
      const parsed = deploymentStatusPayload.safeParse(delivery.payload);
      if (!parsed.success) {
        deps.logger.warn({ deliveryId: delivery.deliveryId }, 'deployment_status payload not understood: ignored');
        return 'ignored';
      }
      const { deployment_status: status, deployment, repository: repo } = parsed.data;
      if (status.state !== 'success') return 'ignored';
      const environment = status.environment || deployment.environment;
      const version =
        deployment.ref === deployment.sha
          ? shortSha(deployment.sha)
          : `${deployment.ref} (${shortSha(deployment.sha)})`;
      const description = deployment.description?.trim();
      return actingAs({ actor: 'github', via: `webhook deployment_status ${delivery.deliveryId}` }, () =>
        recordChange(deps, {
          repository: repo.full_name,
          change: {
            sourceKey: githubDeploymentKey(deployment.id),
            source: 'github',
            kind: 'deploy',
            service: repo.full_name,
            environment: environment || null,
            version,
            summary:
              `Deployed ${version} of ${repo.full_name} to ${environment || 'an environment'}${description ? `: ${description}` : ''}`.slice(
                0,
                1000,
              ),
            author: deployment.creator?.login ?? null,
            approvers: [],
            url: status.target_url ?? status.environment_url ?? deployment.url ?? null,
            occurredAt: status.created_at,
          },
        }),
      );
    },
  };
}

/**
 * pull_request closed with `merged: true` into the repository's default branch: a `merge` change, with the pull request's approving
 * reviews from the code host when one is configured (a failure there records it without them).
 */
export function pullRequestHandler(deps: ServiceDeps): GitHubEventHandler {
  return {
    actions: ['closed'],
    async handle(delivery: GitHubDelivery) {
      const parsed = pullRequestPayload.safeParse(delivery.payload);
      if (!parsed.success) {
        deps.logger.warn({ deliveryId: delivery.deliveryId }, 'pull_request payload not understood: ignored');
        return 'ignored';
      }
      const { pull_request: pr, number, repository: repo, installation: installationId } = parsed.data;
      if (pr.merged !== true) return 'ignored';
      // Only what reaches the default branch is a change to production (a merge into a feature branch is not).
      if (!repo.default_branch || pr.base.ref !== repo.default_branch) return 'ignored';
      let approvers: string[] = [];
      if (deps.codeHost) {
        try {
          const approvals = await deps.codeHost.approvals({ repository: repo.full_name, number, installationId });
          approvers = [...new Set(approvals.map((a) => a.login))].slice(0, 20);
        } catch (err) {
          deps.logger.warn(
            { err, repository: repo.full_name, number },
            "the pull request's approvals could not be read from GitHub: recorded without approvers",
          );
        }
      }
      return actingAs({ actor: 'github', via: `webhook pull_request ${delivery.deliveryId}` }, () =>
        recordChange(deps, {
          repository: repo.full_name,
          change: {
            sourceKey: `github:pull_request:${repo.full_name}#${number}`,
            source: 'github',
            kind: 'merge',
            service: repo.full_name,
            environment: null,
            version: pr.merge_commit_sha ? shortSha(pr.merge_commit_sha) : null,
            summary: (pr.title.trim() || `Pull request #${number}`).slice(0, 1000),
            author: pr.user?.login ?? null,
            approvers,
            url: pr.html_url,
            occurredAt: pr.merged_at ?? pr.closed_at ?? deps.clock.now(),
          },
        }),
      );
    },
  };
}
