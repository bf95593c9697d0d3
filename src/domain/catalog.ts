// The service catalog as the incident core sees it: who owns a service, how to reach its team and its
// on-call, how critical it is to patients, where its runbooks and dashboards are. Read from
// Backstage's catalog format (src/catalog/) into these plain values; matching here is pure.

/** The catalog annotations the bot reads (Backstage `metadata.annotations`). */
export const ANNOTATIONS = {
  /** The PagerDuty service whose on-call is invited to the service's incidents (Backstage's PagerDuty plugin key). */
  pagerDutyServiceId: 'pagerduty.com/service-id',
  /** The owning team's Slack channel: an ID (C0123ABCD) or a name (#platform or platform); on a Component, System or Group. */
  slackChannel: 'slack.com/channel',
  /** How critical the service is to patient care: patient-facing, clinical-support or none. */
  clinicalCriticality: 'incident-bot/clinical-criticality',
  /** The GitHub repository (owner/repo) whose deployments and pull requests are the service's changes. */
  githubProjectSlug: 'github.com/project-slug',
  /** The Jira project (key, e.g. OPS) where the service's or team's action items are opened as issues. */
  jiraProjectKey: 'jira/project-key',
  /** A User's GitHub login (Backstage's GitHub org provider writes it): matches tracker users to Slack members by the User's email. */
  githubUserLogin: 'github.com/user-login',
} as const;

export const CLINICAL_CRITICALITIES = ['patient-facing', 'clinical-support', 'none'] as const;
export type ClinicalCriticality = (typeof CLINICAL_CRITICALITIES)[number];

export interface CatalogLink {
  url: string;
  title: string;
  /** From the link's `type` (or its title, or icon): runbooks and dashboards are shown on the summary. */
  kind: 'runbook' | 'dashboard' | 'other';
}

/** A Component or System: what an incident affects. */
export interface CatalogService {
  /** The entity reference, e.g. `component:default/ehr-api`. */
  ref: string;
  kind: 'Component' | 'System';
  /** metadata.name, e.g. `ehr-api`: what incidents and change events store. */
  name: string;
  /** metadata.title, e.g. `EHR API`; null when none. */
  title: string | null;
  description: string | null;
  /** spec.owner as a full reference (e.g. `group:default/platform`); null when none. */
  owner: string | null;
  /** The owning group's title or name, for people to read; null when none. */
  ownerName: string | null;
  /** spec.system's name (a Component's system); null when none. */
  system: string | null;
  pagerDutyServiceId: string | null;
  /** The service's own channel annotation, else its owning group's (an ID or a name). */
  slackChannel: string | null;
  clinicalCriticality: ClinicalCriticality | null;
  githubProjectSlug: string | null;
  /** `jira/project-key`: the Jira project for its action items; null when none. */
  jiraProjectKey: string | null;
  links: CatalogLink[];
}

export interface CatalogGroup {
  ref: string;
  name: string;
  title: string | null;
  slackChannel: string | null;
  /** The team's repository for its action items (`github.com/project-slug` on the Group); null when none. */
  githubProjectSlug: string | null;
  /** The team's Jira project for its action items (`jira/project-key` on the Group); null when none. */
  jiraProjectKey: string | null;
}

export interface CatalogUser {
  ref: string;
  name: string;
  email: string | null;
  /** `github.com/user-login`: the person's GitHub login; null when none. */
  githubLogin: string | null;
}

/** An entity the catalog could not use: where it came from and what is wrong, for the log and `/incident service`. */
export interface CatalogProblem {
  /** A file and document (`catalog/ehr.yaml#2`), or an entity reference from the Backstage API. */
  source: string;
  message: string;
}

export interface CatalogSnapshot {
  /** 'none': no catalog is configured (services are free text). */
  source: 'none' | 'file' | 'backstage';
  services: readonly CatalogService[];
  groups: readonly CatalogGroup[];
  users: readonly CatalogUser[];
  problems: readonly CatalogProblem[];
  /** When it was last read successfully; null before the first read. */
  loadedAt: Date | null;
}

export const EMPTY_CATALOG: CatalogSnapshot = {
  source: 'none',
  services: [],
  groups: [],
  users: [],
  problems: [],
  loadedAt: null,
};

const fold = (s: string) => s.trim().toLowerCase();

/** A service by its name, title or reference, case-insensitively; null when none matches exactly. */
export function serviceNamed(catalog: CatalogSnapshot, query: string): CatalogService | null {
  const q = fold(query);
  if (!q) return null;
  return (
    catalog.services.find((s) => fold(s.name) === q || fold(s.ref) === q) ??
    catalog.services.find((s) => s.title !== null && fold(s.title) === q) ??
    null
  );
}

/** The service whose `github.com/project-slug` is this repository (owner/repo, case-insensitive). */
export function serviceOfRepository(catalog: CatalogSnapshot, slug: string): CatalogService | null {
  const q = fold(slug);
  return catalog.services.find((s) => s.githubProjectSlug !== null && fold(s.githubProjectSlug) === q) ?? null;
}

/** The system a service belongs to: a System is its own, a Component its `spec.system` (null when none). */
export function systemOf(service: Pick<CatalogService, 'kind' | 'name' | 'system'>): string | null {
  return service.kind === 'System' ? service.name : service.system;
}

/** Edit distance, for suggestions (short strings only: names and titles). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * Services that look like what was typed, best first: containing it (or it containing them), or a
 * few edits away, by name or title. For the "did you mean" of an unknown service, and the form's search.
 */
export function suggestServices(catalog: CatalogSnapshot, query: string, limit = 5): CatalogService[] {
  const q = fold(query);
  if (!q) return catalog.services.slice(0, limit);
  const scored: { s: CatalogService; score: number }[] = [];
  for (const s of catalog.services) {
    let best = Number.POSITIVE_INFINITY;
    for (const text of [s.name, s.title].filter((t): t is string => !!t).map(fold)) {
      if (text === q) best = Math.min(best, 0);
      else if (text.startsWith(q)) best = Math.min(best, 1);
      else if (text.includes(q) || (q.length >= 4 && q.includes(text))) best = Math.min(best, 2);
      else {
        // Edits are counted only where they could be few (the lengths close) and cheap (short texts:
        // a long query against a large catalog must not take seconds).
        const most = Math.max(2, Math.floor(text.length / 3));
        if (Math.abs(q.length - text.length) > most || q.length > 64 || text.length > 64) continue;
        const d = distance(q, text);
        if (d <= most) best = Math.min(best, 3 + d);
      }
    }
    if (best < Number.POSITIVE_INFINITY) scored.push({ s, score: best });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.s.name.localeCompare(b.s.name))
    .slice(0, limit)
    .map((x) => x.s);
}

/** The name people read for a service: its title, else its name. */
export function serviceLabel(s: Pick<CatalogService, 'name' | 'title'>): string {
  return s.title ?? s.name;
}

/**
 * Whether declared and commanded services must be catalog services: a catalog is configured and has
 * been read at least once. Until its first read succeeds (Backstage down when the bot starts) it is
 * not in use, and services are taken as typed, as without a catalog.
 */
export function catalogInUse(catalog: Pick<CatalogSnapshot, 'source' | 'loadedAt'>): boolean {
  return catalog.source !== 'none' && catalog.loadedAt !== null;
}

/** Told when a catalog is configured but has not been read yet (services are then taken as typed). */
export const CATALOG_UNREAD = 'The service catalog could not be read; services are taken as typed.';

/** Whether a catalog is configured but has not been read yet. */
export function catalogUnread(catalog: Pick<CatalogSnapshot, 'source' | 'loadedAt'>): boolean {
  return catalog.source !== 'none' && catalog.loadedAt === null;
}

/**
 * How many of `following` (the words typed after a one-word service) continue it into the longest
 * name or title of a catalog service, e.g. `EHR` + `API Failover in progress` → 1 (`EHR API`); 0
 * when none does. At most `max` words are tried (a title is short).
 */
export function longestServiceRun(
  catalog: CatalogSnapshot,
  first: string,
  following: readonly string[],
  max = 10,
): { service: CatalogService; used: number } | null {
  for (let n = Math.min(following.length, max); n >= 0; n--) {
    const service = serviceNamed(catalog, [first, ...following.slice(0, n)].join(' '));
    if (service) return { service, used: n };
  }
  return null;
}
