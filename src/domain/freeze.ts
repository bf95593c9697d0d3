// Change freezes: whether a service may be deployed to while incidents are running, and the words of
// the answer. A SEV1 incident freezes every service (Incident.freezeActive); a commander may freeze
// one service, a System (its components) or all of them from any active incident (`/incident freeze
// on`), and let one deployment through their incident's freeze (`/incident freeze override`): a
// deployment passes only when every incident freezing it did. Only deployments and changes to a
// protected environment meet a freeze. Pure: no I/O.
import { type CatalogSnapshot, catalogInUse, longestServiceRun } from './catalog.ts';
import { ALL_SERVICES, type ChangeEvent, type FreezeOverride } from './changes.ts';
import { quotedValue } from './quoted.ts';
import { AppError } from './errors.ts';
import { incidentRef } from './incident.ts';
import { redactString } from './redaction.ts';

/** A freeze's or an override's reason: at most this long. */
export const FREEZE_REASON_MAX = 500;
/** A service as a command, a query or a webhook names it: at most this long. */
export const FREEZE_SERVICE_MAX = 200;

/** A freeze in force now: a SEV1 incident's (every service), or one a commander started. */
export interface ActiveFreeze {
  /** 'sev1': the incident is SEV1 and active (Incident.freezeActive); 'manual': `/incident freeze on`. */
  origin: 'sev1' | 'manual';
  /** The change_freeze row of a manual freeze; null for a SEV1 freeze. */
  freezeId: string | null;
  incidentId: string;
  incidentNumber: number;
  incidentPrivate: boolean;
  /** The incident's channel, where a freeze is discussed (null before it is set up). */
  incidentChannelId: string | null;
  /** A service name, or ALL_SERVICES. */
  scope: string;
  /** The commander's reason; a SEV1 freeze's is the incident's title. */
  reason: string;
  startedBy: string | null;
  startedAt: Date;
}

const fold = (s: string) => s.trim().toLowerCase();

/**
 * Whether a freeze covers `service`: a freeze of every service does, else one of that name (any
 * case), or of its `system` (a freeze on a System covers its components; see catalog.ts systemOf).
 */
export function freezeCovers(
  freeze: Pick<ActiveFreeze, 'scope'>,
  service: string,
  system: string | null = null,
): boolean {
  if (freeze.scope === ALL_SERVICES) return true;
  const scope = fold(freeze.scope);
  return scope === fold(service) || (system !== null && scope === fold(system));
}

/** The freezes that stop a deployment of `service` (of `system`), oldest first. */
export function freezesOn<F extends Pick<ActiveFreeze, 'scope' | 'startedAt'>>(
  freezes: readonly F[],
  service: string,
  system: string | null = null,
): F[] {
  return freezes
    .filter((f) => freezeCovers(f, service, system))
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

/** The environments a freeze protects when FREEZE_ENVIRONMENTS is not set. */
export const DEFAULT_FREEZE_ENVIRONMENTS: readonly string[] = ['production'];

/** Whether a deployment to `environment` meets a freeze: one of `protectedEnvironments` (any case), or none named. */
export function environmentProtected(environment: string | null, protectedEnvironments: readonly string[]): boolean {
  if (environment === null || !environment.trim()) return true;
  return protectedEnvironments.some((e) => fold(e) === fold(environment));
}

/**
 * Whether a recorded change meets the freezes at all: deployments and changes (kinds `deploy` and
 * `change`) to a protected environment do; a merged pull request is information (a deployment follows).
 */
export function changeMeetsFreeze(
  change: Pick<ChangeEvent, 'kind' | 'environment'>,
  protectedEnvironments: readonly string[],
): boolean {
  return (
    (change.kind === 'deploy' || change.kind === 'change') &&
    environmentProtected(change.environment, protectedEnvironments)
  );
}

/** How far before its receipt a change may say it occurred and still be taken at its word (15 minutes). */
export const BACKDATING_TOLERANCE_MS = 15 * 60_000;

/**
 * Whether a change landed in a freeze that started at `startedAt` (and is in force when the change
 * is received): it occurred at or after the start; or it was received during the freeze and claims
 * to have occurred more than BACKDATING_TOLERANCE_MS before it was received (`occurred_at` is the
 * sender's word: a change reported during a freeze cannot backdate itself out of it).
 */
export function landedInFreeze(change: Pick<ChangeEvent, 'occurredAt' | 'receivedAt'>, startedAt: Date): boolean {
  if (change.occurredAt.getTime() >= startedAt.getTime()) return true;
  return (
    change.receivedAt.getTime() >= startedAt.getTime() &&
    change.receivedAt.getTime() - change.occurredAt.getTime() > BACKDATING_TOLERANCE_MS
  );
}

/**
 * The incidents whose freezes cover a deployment, each with when its LATEST covering freeze in
 * force started: an override of that incident counts only if it was given at or after then (one
 * given before a freeze was lifted, before a downgrade, or before the incident froze the service
 * again, e.g. escalated to SEV1 over a commander's freeze, has lapsed). In incident order of their
 * oldest freeze.
 */
export function coveringIncidents(
  covering: readonly Pick<ActiveFreeze, 'incidentId' | 'startedAt'>[],
): { incidentId: string; since: Date }[] {
  const since = new Map<string, Date>();
  for (const f of covering) {
    const s = since.get(f.incidentId);
    if (!s || f.startedAt.getTime() > s.getTime()) since.set(f.incidentId, f.startedAt);
  }
  return [...since].map(([incidentId, s]) => ({ incidentId, since: s }));
}

/**
 * The overrides that let the next deployment through the `covering` freezes: for EVERY incident
 * freezing it, its oldest unused override still valid (given while that incident's covering freeze
 * was in force); null when any incident has none (or nothing freezes it). One incident's override
 * never lets a deployment past another incident's freeze.
 */
export function overridesLettingThrough<O extends Pick<FreezeOverride, 'id' | 'incidentId' | 'createdAt'>>(
  covering: readonly Pick<ActiveFreeze, 'incidentId' | 'startedAt'>[],
  unused: readonly O[],
): O[] | null {
  const incidents = coveringIncidents(covering);
  if (!incidents.length) return null;
  const picked: O[] = [];
  for (const { incidentId, since } of incidents) {
    const o = unused
      .filter((u) => u.incidentId === incidentId && u.createdAt.getTime() >= since.getTime())
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))[0];
    if (!o) return null;
    picked.push(o);
  }
  return picked;
}

/** The incidents (ids) among `freezes`, each once, in order. */
export function freezingIncidents(freezes: readonly Pick<ActiveFreeze, 'incidentId'>[]): string[] {
  return [...new Set(freezes.map((f) => f.incidentId))];
}

/** How a scope reads: `every service` or the service's name. */
export function scopeText(scope: string): string {
  return scope === ALL_SERVICES ? 'every service' : scope;
}

/** What a private incident's freeze says outside its channel: its reference, never its title or reason. */
export const PRIVATE_FREEZE_REASON = 'A private incident froze changes; ask its commander.';

/** One freeze as a pipeline or GitHub may read it: a private incident's says no more than its reference. */
export interface PublicFreeze {
  incident: string;
  scope: string;
  kind: 'sev1' | 'manual';
  reason: string;
  since: string;
}

/** A freeze as it may leave the incident: private → reference and a generic reason; every reason through the PHI guard. */
export function publicFreeze(f: ActiveFreeze): PublicFreeze {
  const ref = incidentRef({ number: f.incidentNumber });
  const reason = f.incidentPrivate
    ? PRIVATE_FREEZE_REASON
    : f.origin === 'sev1'
      ? `SEV1 ${ref} is in progress: ${redactString(f.reason).value}`
      : redactString(f.reason).value;
  return { incident: ref, scope: f.scope, kind: f.origin, reason, since: f.startedAt.toISOString() };
}

/** An override as it may leave its incident: its reference, and a generic reason for a private incident. */
export interface PublicOverride {
  incident: string;
  reason: string;
}

/** The answer to "may `service` be deployed?" (GET /api/freeze, the protection rule). */
export type FreezeVerdict =
  | { frozen: false; service: string }
  | {
      frozen: true;
      service: string;
      /** The oldest freeze's reason (see publicFreeze). */
      reason: string;
      /** The oldest freeze's incident, e.g. INC-12. */
      incident: string;
      freezes: PublicFreeze[];
      /**
       * Every incident freezing the service gave an unused override: the next deployment goes
       * through (it uses one of each when reported). The oldest freeze's incident's; null otherwise.
       */
      override: PublicOverride | null;
      /** The overrides the next deployment would use, one per freezing incident; [] when it would be held. */
      overrides: PublicOverride[];
    };

type OverrideInfo = Pick<FreezeOverride, 'reason'> & { incidentNumber: number; incidentPrivate: boolean };

function publicOverride(o: OverrideInfo): PublicOverride {
  return {
    incident: incidentRef({ number: o.incidentNumber }),
    reason: o.incidentPrivate ? PRIVATE_FREEZE_REASON : redactString(o.reason).value,
  };
}

/**
 * The verdict for `service` from the freezes in force on it and the overrides that would let the
 * next deployment through (overridesLettingThrough: one per freezing incident, or null).
 */
export function freezeVerdict(
  service: string,
  active: readonly ActiveFreeze[],
  overrides: readonly OverrideInfo[] | null,
  system: string | null = null,
): FreezeVerdict {
  const on = freezesOn(active, service, system).map(publicFreeze);
  if (!on.length) return { frozen: false, service };
  const given = (overrides ?? []).map(publicOverride);
  return {
    frozen: true,
    service,
    reason: on[0]!.reason,
    incident: on[0]!.incident,
    freezes: on,
    override: given[0] ?? null,
    overrides: given,
  };
}

const listed = (refs: readonly string[]) =>
  refs.length <= 1 ? (refs[0] ?? '') : `${refs.slice(0, -1).join(', ')} and ${refs.at(-1)}`;

/**
 * What GitHub's protection rule is told when a freeze holds a deployment. GitHub's comments are
 * readable by whoever can read the repository (custom protection rules need a public repository or
 * GitHub Enterprise): references only, never an incident's title or a commander's reason.
 */
export function rejectionComment(verdict: Extract<FreezeVerdict, { frozen: true }>): string {
  const refs = [...new Set(verdict.freezes.map((f) => f.incident))];
  const one = refs.length === 1;
  return clip(
    `Change freeze on ${verdict.service} by ${listed(refs)} (see the incident channel${one ? '' : 's'}). Ask ${one ? 'its commander' : 'the commander of each'} for \`/incident freeze override ${verdict.service} <reason>\`.`,
  );
}

/** What GitHub is told when overrides let a deployment through: the incidents' references only. */
export function overrideComment(service: string, incidents: readonly string[]): string {
  return clip(
    `Change freeze on ${service}: let through by an override from ${listed(incidents)} (see the incident channel${incidents.length === 1 ? '' : 's'}).`,
  );
}

const clip = (s: string, max = 1000) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * The name a deployment is known by on overrides and timelines, stable across redeliveries:
 * `github deployment 123`. An override used by it records `<ref> (<repository>, <environment>)`.
 */
export function deploymentRef(deploymentId: number | string): string {
  return `github deployment ${deploymentId}`;
}

/** A recorded change's deployment reference when it is a GitHub deployment (its source key names it), else null. */
export function changeDeploymentRef(change: Pick<ChangeEvent, 'sourceKey'>): string | null {
  const m = /^github:deployment(?:_status)?:(\d{1,20})$/.exec(change.sourceKey);
  return m ? deploymentRef(m[1]!) : null;
}

/** The name a recorded change is known by on overrides: its GitHub deployment's, else `<kind> <source key>`. */
export function changeRef(change: Pick<ChangeEvent, 'sourceKey' | 'kind'>): string {
  return changeDeploymentRef(change) ?? `${change.kind} ${change.sourceKey}`;
}

/** What an override records it let through (`used_by`): `<ref> (<where>, <where>…)`, e.g. `github deployment 123 (acme/ehr-api, production)`. */
export function usedByText(ref: string, where: readonly (string | null)[]): string {
  const parts = where.filter((w): w is string => !!w);
  return parts.length ? `${ref} (${parts.join(', ')})` : ref;
}

// ---- /incident freeze … --------------------------------------------------------------------------

/** What `/incident freeze …` asks for. */
export type FreezeCommand =
  | { kind: 'freeze-show' }
  /**
   * `scope`: a service as typed, or ALL_SERVICES. Unless `quoted`, the service is one word, which
   * the reason's first words may continue by the catalog (withFreezeServiceWords).
   */
  | { kind: 'freeze-on'; scope: string; reason: string; quoted?: true }
  /**
   * `scope` null: every freeze this incident started. `serviceWords`: words after a one-word
   * service, which must all continue its name by the catalog (withFreezeServiceWords).
   */
  | { kind: 'freeze-off'; scope: string | null; serviceWords?: string[] }
  | { kind: 'freeze-override'; service: string; reason: string; quoted?: true };

export const FREEZE_USAGE =
  '/incident freeze [on <service|all> <reason> | off [<service|all>] | override <service> <reason>]';

const SERVICE_WORD = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
/** A quoted service: printable, no backticks or angle brackets (it is echoed in answers). */
const QUOTED_SERVICE = /^[^\p{Cc}`<>]+$/u;
/** How many words after an unquoted service may continue its name. */
const SERVICE_WORDS_MAX = 10;

function usage(got?: string, hint = ''): AppError {
  const what = got ? `\`${got}\` is not right here. ` : '';
  return new AppError(`${what}Write it as \`${FREEZE_USAGE}\`.${hint ? ` ${hint}` : ''}`, 'invalid_input');
}

/** A service word (or `all`/`*` when `allowAll`): ALL_SERVICES or the name as typed. */
function parseScope(word: string | undefined, allowAll: boolean, quoted = false): string {
  if (!word) throw usage(undefined, 'Name the service.');
  if (word.toLowerCase() === 'all' || word === ALL_SERVICES) {
    if (allowAll) return ALL_SERVICES;
    throw usage(word, 'An override lets one deployment of one service through: name the service.');
  }
  if (word.length > FREEZE_SERVICE_MAX)
    throw new AppError(`That service name is too long (at most ${FREEZE_SERVICE_MAX} characters).`, 'invalid_input');
  if (!(quoted ? QUOTED_SERVICE : SERVICE_WORD).test(word)) {
    throw usage(
      word.slice(0, 80),
      allowAll
        ? 'Name a service from the catalog (e.g. `ehr-api`, or quoted: `"EHR API"`), or `all`.'
        : 'Name a service from the catalog (e.g. `ehr-api`, or quoted: `"EHR API"`).',
    );
  }
  return word;
}

/**
 * The service at `rest[1]` on: quoted (`"EHR API"`, over as many words), else one word with the
 * words after it (up to SERVICE_WORDS_MAX) kept as `serviceWords`. `used`: how many words of
 * `rest` the command word and the service took.
 */
function serviceAt(
  rest: readonly string[],
  allowAll: boolean,
): { scope: string; used: number; quoted?: true; serviceWords?: string[] } {
  const quoted = quotedValue(rest.slice(1));
  if (quoted)
    return {
      scope: parseScope(quoted.value.replace(/\s+/g, ' '), allowAll, true),
      used: 1 + quoted.words,
      quoted: true,
    };
  const scope = parseScope(rest[1], allowAll);
  const following = scope === ALL_SERVICES ? [] : rest.slice(2, 2 + SERVICE_WORDS_MAX);
  return { scope, used: 2, ...(following.length ? { serviceWords: following } : {}) };
}

function parseReason(text: string): string {
  const reason = text.trim();
  if (!reason) throw usage(undefined, 'Give a reason: it is on the timeline and tells pipelines why.');
  if (reason.length > FREEZE_REASON_MAX)
    throw new AppError(`The reason is too long (at most ${FREEZE_REASON_MAX} characters).`, 'invalid_input');
  return reason;
}

/**
 * Parses the words after `/incident freeze` (`rest`) with `after(n)`, the text as typed after the
 * first `n` of them (line breaks kept). A service is one word or quoted (`"EHR API"`, also Slack's
 * “…”); an unquoted one keeps the words after it, which withFreezeServiceWords may join to it by the
 * catalog. Throws AppError with a message fit for the user.
 */
export function parseFreezeCommand(rest: readonly string[], after: (n: number) => string): FreezeCommand {
  const word = (rest[0] ?? '').toLowerCase();
  switch (word) {
    case '':
      return { kind: 'freeze-show' };
    case 'on': {
      const { scope, used, quoted } = serviceAt(rest, true);
      return { kind: 'freeze-on', scope, reason: parseReason(after(used)), ...(quoted ? { quoted } : {}) };
    }
    case 'off': {
      if (!rest[1]) return { kind: 'freeze-off', scope: null };
      const { scope, used, serviceWords } = serviceAt(rest, true);
      if (rest.length > used + (serviceWords?.length ?? 0))
        throw usage(rest[used], '`off` takes a service or `all`, nothing more.');
      return { kind: 'freeze-off', scope, ...(serviceWords ? { serviceWords } : {}) };
    }
    case 'override': {
      const { scope, used, quoted } = serviceAt(rest, false);
      return {
        kind: 'freeze-override',
        service: scope,
        reason: parseReason(after(used)),
        ...(quoted ? { quoted } : {}),
      };
    }
    default:
      throw usage(rest[0]);
  }
}

/** `text` without its first `n` words (line breaks after them kept). */
function dropWords(text: string, n: number): string {
  let out = text.trim();
  for (let i = 0; i < n; i++) out = out.replace(/^\S+\s*/, '');
  return out;
}

/**
 * The freeze command with its one-word service extended, with the catalog in use, by the longest
 * run of the following words that names a catalog service (name or title): `freeze on EHR API
 * Failover` freezes `EHR API` (reason `Failover`) when the catalog has it. Without the catalog in
 * use, or no longer name matching, the service stays one word; `off` then refuses words after it.
 * Throws AppError when the reason is left empty.
 */
export function withFreezeServiceWords(catalog: CatalogSnapshot, cmd: FreezeCommand): FreezeCommand {
  if (cmd.kind === 'freeze-show') return cmd;
  if (cmd.kind === 'freeze-off') {
    if (!cmd.serviceWords) return cmd;
    const { serviceWords, ...rest } = cmd;
    const run =
      rest.scope && catalogInUse(catalog)
        ? longestServiceRun(catalog, rest.scope, serviceWords, SERVICE_WORDS_MAX)
        : null;
    const used = run?.used ?? 0;
    if (used !== serviceWords.length) {
      throw usage(
        serviceWords[used],
        '`off` takes a service or `all`, nothing more (quote a name with spaces: `"EHR API"`).',
      );
    }
    return { ...rest, scope: [rest.scope, ...serviceWords].join(' ') };
  }
  const first = cmd.kind === 'freeze-override' ? cmd.service : cmd.scope;
  if (cmd.quoted || first === ALL_SERVICES || !catalogInUse(catalog)) return cmd;
  const following = cmd.reason.split(/\s+/).filter(Boolean).slice(0, SERVICE_WORDS_MAX);
  const used = longestServiceRun(catalog, first, following, SERVICE_WORDS_MAX)?.used ?? 0;
  if (used === 0) return cmd;
  const service = [first, ...following.slice(0, used)].join(' ');
  const reason = parseReason(dropWords(cmd.reason, used));
  return cmd.kind === 'freeze-on' ? { ...cmd, scope: service, reason } : { ...cmd, service, reason };
}
