// What leaves an incident channel is redacted (the PHI/PII guard of phi-guard.ts): broadcasts, the
// clinical-safety alert, PagerDuty pages, direct messages, listings, reviews and exports. The record
// and the incident channel keep what people wrote. Pure: no I/O.
import type { ActionItem } from './action-items.ts';
import type { Incident } from './incident.ts';
import { phiWarning, redactPhi, type PhiKind } from './phi-guard.ts';

/**
 * One redaction in an outbound value: where (`title`, `timeline[3].text`) and what kind. Never
 * the redacted text itself, so findings can be counted, logged and shown without leaking it.
 */
export interface OutboundFinding {
  path: string;
  kind: PhiKind;
}

export interface Redacted<T> {
  value: T;
  findings: OutboundFinding[];
}

/**
 * Keys whose strings are identifiers, timestamps or enum values, never free text: left as they are
 * (a Slack ts or an ISO time must stay intact, and no person types them).
 */
export const STRUCTURAL_KEY =
  /^(?:id|ts|at|kind|status|severity|category|priority|role|factor|how|permalink|timeZone|via|hash|key|url)$|(?:Id|Ts|At|Url|Key|Hash)$/;

export interface RedactOptions {
  /** Keys left untouched (default STRUCTURAL_KEY); `() => false` redacts every string. */
  skipKey?: (key: string) => boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** One string: the redacted text and its findings (at `path`). */
export function redactString(text: string, path = ''): Redacted<string> {
  const r = redactPhi(text);
  return { value: r.text, findings: r.findings.map((f) => ({ path, kind: f.kind })) };
}

/**
 * Every string in a JSON-like value (plain objects and arrays, any depth) redacted; other values
 * (numbers, Dates, Buffers, class instances) kept as they are. The input is never changed; parts
 * with nothing to redact are returned as the same objects. For exports: the lead's JSON, a review.
 */
export function redactDeep<T>(value: T, opts: RedactOptions = {}): Redacted<T> {
  const skip = opts.skipKey ?? ((k: string) => STRUCTURAL_KEY.test(k));
  const findings: OutboundFinding[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      const r = redactPhi(v);
      for (const f of r.findings) findings.push({ path, kind: f.kind });
      return r.text;
    }
    if (Array.isArray(v)) {
      let changed = false;
      const out = v.map((x, i) => {
        const y = walk(x, `${path}[${i}]`);
        if (y !== x) changed = true;
        return y;
      });
      return changed ? out : v;
    }
    if (isPlainObject(v)) {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const y = skip(k) ? x : walk(x, path ? `${path}.${k}` : k);
        if (y !== x) changed = true;
        out[k] = y;
      }
      return changed ? out : v;
    }
    return v;
  };
  return { value: walk(value, '') as T, findings };
}

/** The named string fields of `obj` redacted (null ones left as they are); the same object when nothing was found. */
function redactFields<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Redacted<T> {
  const findings: OutboundFinding[] = [];
  const changed: Partial<T> = {};
  for (const key of keys) {
    const v = obj[key];
    if (typeof v !== 'string') continue;
    const r = redactString(v, String(key));
    if (r.findings.length === 0) continue;
    findings.push(...r.findings);
    changed[key] = r.value as T[K];
  }
  return { value: findings.length === 0 ? obj : { ...obj, ...changed }, findings };
}

/** The incident's free text (title, description, affected service, channel name) redacted. */
export function outboundIncident<T extends Pick<Incident, 'title' | 'description' | 'affectedService' | 'channelName'>>(
  incident: T,
): Redacted<T> {
  return redactFields(incident, ['title', 'description', 'affectedService', 'channelName']);
}

/**
 * An action item as it may leave its incident's channel (a reminder, a listing): text, incident
 * title and team (the incident's owning team, which may have been typed) redacted.
 */
export function outboundActionItem<T extends Pick<ActionItem, 'text' | 'incidentTitle'> & { team?: string | null }>(
  item: T,
): Redacted<T> {
  return redactFields(item, ['text', 'incidentTitle', 'team']);
}

/**
 * What the author of redacted text is told, privately: `subject` says where it went ("Your update
 * was shared in <#C…>."), then which kinds and how many were removed. Never the text itself.
 * Null when nothing was redacted.
 */
export function redactionWarning(findings: readonly Pick<OutboundFinding, 'kind'>[], subject: string): string | null {
  const said = phiWarning(findings);
  if (!said) return null;
  return `:shield: ${subject} ${said} The incident channel and its record keep what was written.`;
}
