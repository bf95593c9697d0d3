// A CodeHost for tests: records the answers to deployment protection rules, and serves approvals
// the test sets. `failNext` makes the next call throw CodeHostUnavailable.
import { CodeHostUnavailable, type Approval, type CodeHost } from '../../src/ports/code-host.ts';

export type DeploymentReviewCall = Parameters<CodeHost['reviewDeployment']>[0];

export class RecordingCodeHost implements CodeHost {
  readonly reviews: DeploymentReviewCall[] = [];
  readonly approvalsOf = new Map<string, Approval[]>();
  private failing = 0;

  failNext(n = 1): void {
    this.failing = n;
  }

  private check(): void {
    if (this.failing > 0) {
      this.failing--;
      throw new CodeHostUnavailable('GitHub is unavailable (test)');
    }
  }

  async approvals(input: { repository: string; number: number }): Promise<Approval[]> {
    this.check();
    return this.approvalsOf.get(`${input.repository}#${input.number}`) ?? [];
  }

  async reviewDeployment(input: DeploymentReviewCall): Promise<void> {
    this.check();
    this.reviews.push(input);
  }

  /** The states answered, in order. */
  states(): DeploymentReviewCall['state'][] {
    return this.reviews.map((r) => r.state);
  }
}
