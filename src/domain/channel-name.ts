import { DRILL_CHANNEL_PREFIX } from './drill.ts';
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

/** More rounds than any title needs: each one only replaces findings by PHI-free labels. */
const MAX_ROUNDS = 8;

/**
 * The slug of a title with no PHI in it, at most `room` characters. The title is redacted, then the
 * slug itself is checked as it reads (its hyphens as spaces), because slugifying can make an
 * identifier the title did not hold: `SW1A~1AA` becomes `sw1a-1aa`, and cutting the slug to length
 * can turn `943-476-59190` into `943-476-5919`. Anything found there is redacted and the slug made
 * again, until nothing is found; if that never settles the slug is left out.
 */
function phiFreeSlug(title: string, room: number): string {
  let text = redactPhi(title).text;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const slug = slugify(text).slice(0, Math.max(0, room)).replace(/-+$/, '');
    const again = redactPhi(slug.replace(/-/g, ' '));
    if (again.findings.length === 0) return slug;
    text = again.text;
  }
  return '';
}

/**
 * `inc-<number>-<slug-of-title>`, at most 80 characters; `attempt` > 1 adds `-<attempt>` (used when
 * the name is taken) and still keeps to the limit by shortening the slug. Channel names are seen
 * across the workspace, so PHI in the title is redacted first (`inc-7-redacted-nhs-number-…`), and
 * the slug is checked again after its own normalisation (see phiFreeSlug). A drill's channel is
 * `drill-inc-<number>-<slug>`, so nobody mistakes it for a real incident in the channel list.
 */
export function incidentChannelName(number: number, title: string, attempt = 1, drill = false): string {
  const prefix = `${drill ? DRILL_CHANNEL_PREFIX : ''}${incidentRef({ number }).toLowerCase()}`;
  const suffix = attempt > 1 ? `-${attempt}` : '';
  const room = CHANNEL_NAME_MAX - prefix.length - suffix.length - 1;
  const slug = phiFreeSlug(title, room);
  return slug ? `${prefix}-${slug}${suffix}` : `${prefix}${suffix}`;
}
