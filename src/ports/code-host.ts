/** A pull request's approving review, as the code host reports it. */
export interface Approval {
  /** The reviewer's login. */
  login: string;
  at: Date | null;
}

/**
 * What the bot needs from the code host (GitHub in production, as a GitHub App): who approved a
 * merged pull request, and the answer to a deployment protection rule. Throws CodeHostUnavailable
 * when it cannot be reached or refuses.
 */
export interface CodeHost {
  /** The approving reviews of a pull request (the latest review of each reviewer, when it approves). */
  approvals(input: { repository: string; number: number; installationId: number | null }): Promise<Approval[]>;
  /**
   * Approves or rejects a deployment waiting on the bot's protection rule, through the callback URL
   * its `deployment_protection_rule` webhook carried (it must be on the code host's API).
   */
  reviewDeployment(input: {
    callbackUrl: string;
    installationId: number | null;
    environment: string;
    state: 'approved' | 'rejected';
    comment: string;
  }): Promise<void>;
}

export class CodeHostUnavailable extends Error {
  override readonly cause?: unknown;

  constructor(message: string, cause?: unknown) {
    super(message);
    this.cause = cause;
    this.name = 'CodeHostUnavailable';
  }
}
