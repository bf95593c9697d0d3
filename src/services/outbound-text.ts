// The one door for text leaving an incident channel: notices to the broadcast and clinical-safety
// channels and people's direct messages, reviews, and exports are redacted here (the PHI/PII guard,
// domain/phi-guard.ts), and the person whose text was redacted is warned privately, once per flow.
import {
  redactDeep,
  redactString,
  redactionWarning,
  type OutboundFinding,
  type Redacted,
} from '../domain/redaction.ts';
import type { PostIncidentReview } from '../domain/review.ts';
import type { Notice } from '../ports/chat-platform.ts';
import type { ServiceDeps } from './deps.ts';
import { tellUser } from './tell-user.ts';

export type { OutboundFinding, Redacted } from '../domain/redaction.ts';

/** The parts of a notice a person typed just now (the rest comes from the record: the title, …). */
const TYPED_PATHS = new Set(['message', 'reason', 'summary', 'text', 'item.text']);

/**
 * A notice as it may leave the incident channel: every free text in it redacted (the incident's
 * title, description and service too). `typed`: what was found in the text its author just wrote,
 * for the warning (the title's findings were told to the declarer when it was declared).
 */
export function outboundNotice<N extends Notice>(
  notice: N,
): { notice: N; findings: OutboundFinding[]; typed: OutboundFinding[] } {
  const { value, findings } = redactDeep(notice);
  return { notice: value, findings, typed: findings.filter((f) => TYPED_PATHS.has(f.path)) };
}

/** The review as it may be read beyond the responders (posted, shared as a file, printed): all its text redacted. */
export function outboundReview(review: PostIncidentReview): Redacted<PostIncidentReview> {
  return redactDeep(review);
}

/**
 * outboundReview in slices of the timeline, pausing (`pause`) between them: the same review and
 * findings (paths included), without holding the event loop for a long review's whole text.
 */
export async function outboundReviewInSlices(
  review: PostIncidentReview,
  pause: () => Promise<unknown>,
  slice = 500,
): Promise<Redacted<PostIncidentReview>> {
  const { timeline, ...rest } = review;
  const head = redactDeep(rest);
  const findings: OutboundFinding[] = [];
  const items: PostIncidentReview['timeline'] = [];
  let changed = false;
  for (let at = 0; at < timeline.length; at += slice) {
    if (at > 0) await pause();
    const part = redactDeep(timeline.slice(at, at + slice));
    for (const f of part.findings)
      findings.push({
        ...f,
        path: `timeline[${at + Number(/^\[(\d+)\]/.exec(f.path)![1])}]${f.path.replace(/^\[\d+\]/, '')}`,
      });
    for (let i = 0; i < part.value.length; i++) {
      if (part.value[i] !== timeline[at + i]) changed = true;
      items.push(part.value[i]!);
    }
  }
  // In the order outboundReview reports them: the review's keys in order, the timeline's in its place.
  const keys = Object.keys(review);
  const rank = (path: string) => keys.indexOf(/^[A-Za-z]+/.exec(path)?.[0] ?? '');
  const all = [...head.findings, ...findings].sort((a, b) => rank(a.path) - rank(b.path));
  // Unchanged: the same object, as outboundReview gives it; else the keys in the review's order.
  const redacted = head.value as Record<string, unknown>;
  const value =
    head.value === rest && !changed
      ? review
      : (Object.fromEntries(
          keys.map((k) => [k, k === 'timeline' ? (changed ? items : timeline) : redacted[k]]),
        ) as unknown as PostIncidentReview);
  return { value, findings: all };
}

/**
 * For exports (e.g. `/incident evidence`): a whole exported object (plain objects and arrays of any
 * depth; identifiers, timestamps and enum values under STRUCTURAL_KEY keys are left alone) or a
 * string (Markdown) redacted, with the findings (path and kind, never the text). Pure.
 */
export function redactForExport<T>(value: T): Redacted<T> {
  return redactDeep(value); // a string at the top is redacted as a leaf, path ''
}

/**
 * A message the bot composes from outside data (names from PagerDuty) for a direct message: the
 * whole text redacted, with what was found (kinds and places, never the text). Pure.
 */
export function outboundText(text: string): Redacted<string> {
  return redactString(text);
}

/** Who wrote the text, and how to reach them privately (the request's response URL while valid, else a DM). */
export interface Author {
  userId: string;
  responseUrl?: string | null;
}

/**
 * The single warn step of a flow: tells the author privately what was redacted and where (never
 * the text itself). Nothing when nothing was found; never throws (tellUser logs a failure).
 */
export async function warnAuthor(
  deps: Pick<ServiceDeps, 'chat' | 'logger'>,
  author: Author | null,
  findings: readonly OutboundFinding[],
  subject: string,
): Promise<void> {
  const warning = redactionWarning(findings, subject);
  if (!warning || !author) return;
  deps.logger.info(
    { user: author.userId, redacted: findings.map((f) => `${f.path}:${f.kind}`) },
    'redacted text leaving an incident channel',
  );
  await tellUser(deps, { responseUrl: author.responseUrl ?? null, userId: author.userId }, warning);
}
