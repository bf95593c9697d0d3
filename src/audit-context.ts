import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who is acting and through what, for the audit trail. The transport sets it around each request
 * (a Slack member and '/incident sev', 'button incident_resolve', 'event pin_added'…; PagerDuty
 * and its webhook event) and background work sets its own; the stores hand it to the database in
 * the same transaction as each change, where the audit triggers read it. Without one, a change is
 * recorded as the bot's own.
 */
export interface AuditActor {
  /** Slack member id, 'pagerduty' or 'bot'. */
  actor: string;
  /** The command, button, form, event or job that asked for the change. */
  via: string;
}

const storage = new AsyncLocalStorage<AuditActor>();

/** Runs `fn` (and everything it starts) on behalf of `who`. */
export function actingAs<T>(who: AuditActor, fn: () => T): T {
  return storage.run(who, fn);
}

/** Who the current work is on behalf of, if anyone said. */
export function currentActor(): AuditActor | undefined {
  return storage.getStore();
}
