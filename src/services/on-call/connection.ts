import { AppError } from '../../domain/errors.ts';
import { OnCallUnavailable, type OnCallProvider } from '../../ports/on-call-provider.ts';
import type { ServiceDeps } from '../deps.ts';

export const NOT_CONNECTED = 'PagerDuty is not connected: whoever runs the incident bot must set PAGERDUTY_TOKEN.';

/** The on-call system, or an AppError saying it is not connected. */
export function requireOnCall(deps: ServiceDeps): OnCallProvider {
  if (!deps.onCall) {
    throw new AppError(NOT_CONNECTED, 'not_configured');
  }
  return deps.onCall;
}

/** Runs a call to the on-call system; its being down becomes an AppError in the caller's words. */
export async function askOnCall<T>(
  deps: ServiceDeps,
  call: () => Promise<T>,
  refusal: (reason: string) => string,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof OnCallUnavailable)) throw err;
    deps.logger.warn({ err }, 'PagerDuty call failed');
    throw new AppError(refusal(err.message), 'on_call_unavailable');
  }
}
