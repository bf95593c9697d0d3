import { z } from 'zod';
import { actingAs } from '../audit-context.ts';
import type { Logger } from '../logger.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { reviewDeployment } from '../services/freeze/review-deployment.ts';
import type { GitHubEventHandler } from './webhook-route.ts';

/** What the bot reads of a `deployment_protection_rule` `requested` payload (GitHub's schema was checked first). */
const payloadSchema = z.object({
  environment: z.string().min(1).max(255),
  deployment_callback_url: z
    .url()
    .max(2000)
    .refine((u) => u.startsWith('https://') || u.startsWith('http://'), { message: 'must be an http(s) URL' }),
  deployment: z.object({
    id: z.number().int().positive(),
    sha: z.string().max(100).nullish(),
    ref: z.string().max(255).nullish(),
    creator: z.object({ login: z.string().max(100) }).nullish(),
  }),
  repository: z.object({ full_name: z.string().regex(/^[\w.-]{1,100}\/[\w.-]{1,100}$/) }),
  installation: z.object({ id: z.number().int().positive() }).nullish(),
});

/**
 * `deployment_protection_rule` (`requested`): GitHub asks the bot's custom deployment protection
 * rule whether a deployment may go ahead; the answer goes through the callback URL the webhook
 * carries (see services/freeze/review-deployment.ts). Without a code host configured the bot cannot
 * answer: it says so in the log, and GitHub waits (the deployment can be approved by hand there).
 */
export function deploymentProtectionRuleHandler(deps: ServiceDeps, logger: Logger): GitHubEventHandler {
  return {
    actions: ['requested'],
    async handle({ deliveryId, payload }) {
      const parsed = payloadSchema.safeParse(payload);
      if (!parsed.success) {
        logger.warn(
          { deliveryId, problem: parsed.error.issues[0]?.message ?? null, at: parsed.error.issues[0]?.path.join('.') },
          'deployment_protection_rule webhook without what the bot needs: ignored',
        );
        return;
      }
      const p = parsed.data;
      if (!deps.codeHost) {
        logger.error(
          { deliveryId, repository: p.repository.full_name, deploymentId: p.deployment.id },
          'a deployment protection rule was requested but no GitHub App is configured (GITHUB_APP_ID): the bot cannot answer GitHub, so the deployment waits',
        );
        return;
      }
      const result = await actingAs({ actor: 'github', via: 'webhook deployment_protection_rule' }, () =>
        reviewDeployment(deps, {
          deploymentId: p.deployment.id,
          repository: p.repository.full_name,
          environment: p.environment,
          callbackUrl: p.deployment_callback_url,
          installationId: p.installation?.id ?? null,
          creator: p.deployment.creator?.login ?? null,
          ref: p.deployment.ref ?? null,
          sha: p.deployment.sha ?? null,
        }),
      );
      logger.info(
        { deliveryId, repository: p.repository.full_name, deploymentId: p.deployment.id, ...result },
        'deployment protection rule answered',
      );
    },
  };
}
