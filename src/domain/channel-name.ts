import { incidentRef } from './incident.ts';
import { redactPhi } from './phi-guard.ts';

/** Slack's limit on channel names. */
export const CHANNEL_NAME_MAX = 80;

/** Lowercase, only a-z 0-9 and single hyphens, no hyphen at either end. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * `inc-<number>-<slug-of-title>`, at most 80 characters; `attempt` > 1 adds `-<attempt>` (used when
 * the name is taken) and still keeps to the limit by shortening the slug. Channel names are seen
 * across the workspace, so PHI in the title is redacted first (`inc-7-redacted-nhs-number-…`).
 */
export function incidentChannelName(number: number, title: string, attempt = 1): string {
  const prefix = incidentRef({ number }).toLowerCase();
  const suffix = attempt > 1 ? `-${attempt}` : '';
  const room = CHANNEL_NAME_MAX - prefix.length - suffix.length - 1;
  const slug = slugify(redactPhi(title).text).slice(0, Math.max(0, room)).replace(/-+$/, '');
  return slug ? `${prefix}-${slug}${suffix}` : `${prefix}${suffix}`;
}
