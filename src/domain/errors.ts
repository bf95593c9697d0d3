/**
 * The one error type whose message is meant for the person who asked. Anything else that escapes a
 * use case is a bug: transport code shows it as "something went wrong" with an id that is logged.
 */
export class AppError extends Error {
  /** Shown to the user as is (Slack mrkdwn). Say what is wrong and how to do it right. */
  readonly userMessage: string;
  readonly code: string;

  constructor(userMessage: string, code: string = 'invalid_input') {
    super(userMessage);
    this.userMessage = userMessage;
    this.code = code;
    this.name = 'AppError';
  }
}
