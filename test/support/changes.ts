// Change events for tests (catalog services: ./catalog.ts): GitHub webhook payloads made from GitHub's official
// examples (test/fixtures/github/, from octokit/webhooks, MIT), signed deliveries, and a fake code host.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Approval, CodeHost } from '../../src/ports/code-host.ts';
import { CodeHostUnavailable } from '../../src/ports/code-host.ts';

const fixture = (file: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/github/${file}`, import.meta.url), 'utf8')) as Record<string, any>;

/** GitHub's example `deployment_status` (created, with an installation), changed as asked. */
export function deploymentStatusPayload(
  o: { state?: string; deploymentId?: number; statusId?: number; repo?: string; createdAt?: string } = {},
): Record<string, any> {
  const p = fixture('deployment_status.with-installation.payload.json');
  if (o.state) p.deployment_status.state = o.state;
  if (o.deploymentId) p.deployment.id = o.deploymentId;
  if (o.statusId) p.deployment_status.id = o.statusId;
  if (o.createdAt) p.deployment_status.created_at = o.createdAt;
  if (o.repo) {
    p.repository.full_name = o.repo;
    p.repository.name = o.repo.split('/')[1];
    p.repository.owner.login = o.repo.split('/')[0];
  }
  return p;
}

/** GitHub's example `pull_request` closed (not merged), or merged when asked. */
export function pullRequestClosedPayload(
  o: { merged?: boolean; number?: number; repo?: string; mergedAt?: string; baseRef?: string } = {},
): Record<string, any> {
  const p = fixture('pull_request.closed.payload.json');
  if (o.merged) {
    const at = o.mergedAt ?? p.pull_request.closed_at;
    p.pull_request.merged = true;
    p.pull_request.merged_at = at;
    p.pull_request.closed_at = at;
    p.pull_request.merged_by = p.sender;
  }
  if (o.number) {
    p.number = o.number;
    p.pull_request.number = o.number;
  }
  if (o.repo) {
    p.repository.full_name = o.repo;
    p.repository.name = o.repo.split('/')[1];
    p.repository.owner.login = o.repo.split('/')[0];
  }
  if (o.baseRef) p.pull_request.base.ref = o.baseRef;
  return p;
}

export const signGitHub = (body: string, secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A code host that answers from what the test set, and records what it was asked. */
export class FakeCodeHost implements CodeHost {
  readonly asked: { repository: string; number: number; installationId: number | null }[] = [];
  readonly reviewed: Parameters<CodeHost['reviewDeployment']>[0][] = [];
  approvalsOf = new Map<string, Approval[]>();
  failing = false;

  async approvals(input: { repository: string; number: number; installationId: number | null }) {
    this.asked.push(input);
    if (this.failing) throw new CodeHostUnavailable('GitHub is down (test)');
    return this.approvalsOf.get(`${input.repository}#${input.number}`) ?? [];
  }

  async reviewDeployment(input: Parameters<CodeHost['reviewDeployment']>[0]) {
    if (this.failing) throw new CodeHostUnavailable('GitHub is down (test)');
    this.reviewed.push(input);
  }
}
