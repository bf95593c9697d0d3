import { AppError } from '../../domain/errors.ts';
import type { OnCallAnswer, OnCallShift } from '../../ports/on-call-provider.ts';
import { askOnCall, requireOnCall } from './connection.ts';
import type { ServiceDeps } from '../deps.ts';

export interface OnCallPerson extends OnCallShift {
  /** The Slack member with the PagerDuty user's email, or null (then show the name). */
  slackUserId: string | null;
}

export interface OnCallView {
  target: OnCallAnswer['target'];
  now: OnCallPerson[];
  next: OnCallPerson[];
}

/** `/incident oncall [service or schedule]`: who carries the pager now and next, as Slack members. */
export async function showOnCall(deps: ServiceDeps, input: { query: string | null }): Promise<OnCallView> {
  const onCall = requireOnCall(deps);
  const answer = await askOnCall(
    deps,
    () => onCall.onCall(input.query, deps.clock.now()),
    (reason) => `PagerDuty did not answer (${reason}). Try again in a minute.`,
  );
  if (!answer) {
    throw new AppError(
      `No PagerDuty service or schedule is called \`${input.query}\`. Try part of its name, or \`/incident oncall\` for everyone.`,
      'not_found',
    );
  }
  const emails = [...new Set([...answer.now, ...answer.next].map((s) => s.email).filter((e): e is string => !!e))];
  const ids = new Map<string, string | null>();
  await Promise.all(
    emails.map(async (email) => {
      // A missing match shows the PagerDuty name instead: never a reason to fail the answer.
      ids.set(email, await deps.chat.userIdByEmail(email).catch(() => null));
    }),
  );
  const withSlack = (s: OnCallShift): OnCallPerson => ({
    ...s,
    slackUserId: s.email ? (ids.get(s.email) ?? null) : null,
  });
  return { target: answer.target, now: answer.now.map(withSlack), next: answer.next.map(withSlack) };
}
