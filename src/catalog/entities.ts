// Backstage's catalog format (catalog-info.yaml: Component, System, Group and User entities) into
// the catalog's plain values (domain/catalog.ts). Each entity is validated with Backstage's own
// entity policies and kind validators (@backstage/catalog-model); an entity that fails is reported
// as a CatalogProblem and skipped, a wrong annotation value is reported and ignored (the entity is
// kept without it), and nothing in a catalog ever throws out of here: a catalog is outside input.
import {
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  groupEntityV1alpha1Validator,
  NoForeignRootFieldsEntityPolicy,
  parseEntityRef,
  SchemaValidEntityPolicy,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  type Entity,
} from '@backstage/catalog-model';
import { Composer, Parser } from 'yaml';
import {
  ANNOTATIONS,
  CLINICAL_CRITICALITIES,
  type CatalogGroup,
  type CatalogLink,
  type CatalogProblem,
  type CatalogService,
  type CatalogSnapshot,
  type CatalogUser,
  type ClinicalCriticality,
} from '../domain/catalog.ts';

/** What a catalog may hold: beyond these, the rest is skipped with a problem (a catalog is outside input). */
export const CATALOG_LIMITS = {
  /** One file (or one answer of the Backstage API), in bytes. */
  fileBytes: 1024 * 1024,
  /** Every entity read, of every kind. */
  entities: 10_000,
  /** Documents in one YAML file (or items in one JSON file). */
  documentsPerFile: 1000,
  /** Any one string in an entity (a longer one makes the entity a problem). */
  stringChars: 10_000,
  /** metadata.title. */
  titleChars: 200,
  /** metadata.description: longer ones are cut (it is only shown). */
  descriptionChars: 1000,
  /** metadata.links shown per service. */
  links: 20,
  /** A link's URL. */
  urlChars: 2000,
  /** How deep an entity's objects and lists may nest. */
  depth: 20,
  /** Problems kept (a broken catalog could have one per entity): the rest are counted in a last one. */
  problems: 200,
} as const;

/** One entity as read, before validation: where it came from (for its problems) and its value. */
export interface RawEntity {
  /** A file and document (`catalog/ehr.yaml#2`), or an entity reference from the Backstage API. */
  source: string;
  value: unknown;
}

/** A catalog as read: every part of a snapshot but where it came from and when. */
export type CatalogContents = Pick<CatalogSnapshot, 'services' | 'groups' | 'users' | 'problems'>;

const KINDS = ['Component', 'System', 'Group', 'User'] as const;
type Kind = (typeof KINDS)[number];
const VALIDATORS = {
  Component: componentEntityV1alpha1Validator,
  System: systemEntityV1alpha1Validator,
  Group: groupEntityV1alpha1Validator,
  User: userEntityV1alpha1Validator,
} as const;

/** Backstage's checks of any entity: the namespace filled in, the field formats, no unknown root fields, the schema. */
const POLICY = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

/** The annotation value formats (wrong values are reported and ignored). */
const PAGERDUTY_SERVICE_ID = /^P[A-Z0-9]{5,}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
/** A Slack channel name: lower-case letters, digits, `-`, `_` and `.`, at most 80. */
const CHANNEL_NAME = /^#?([a-z0-9][a-z0-9._-]{0,79})$/;
/** Jira's default project key rule (any case here; stored in capitals). */
const JIRA_PROJECT_KEY = /^[A-Za-z][A-Za-z0-9_]{0,9}$/;
/** GitHub logins: letters, digits and single hyphens, at most 39. */
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const PROJECT_SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** Backstage's messages end with a pointer to its file-format ADR: the first sentence is enough. */
function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return clip(text.replace(/\s*To learn more about catalog file format.*$/s, '').trim(), 500);
}

/** Lets the event loop run (timers, requests) in the middle of a long piece of work. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * The entities of one catalog file: YAML (any number of `---` documents) or JSON (an entity, a
 * list of them, or a Backstage API answer `{ items: [...] }`). `name` says where they came from.
 */
export async function parseCatalogText(
  text: string,
  name: string,
  format: 'yaml' | 'json',
): Promise<{ entities: RawEntity[]; problems: CatalogProblem[] }> {
  const problems: CatalogProblem[] = [];
  if (Buffer.byteLength(text, 'utf8') > CATALOG_LIMITS.fileBytes) {
    return {
      entities: [],
      problems: [
        { source: name, message: `the file is larger than ${CATALOG_LIMITS.fileBytes} bytes: it was skipped` },
      ],
    };
  }
  let values: { source: string; value: unknown }[] = [];
  let truncated = false;
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return { entities: [], problems: [{ source: name, message: `not valid JSON: ${messageOf(err)}` }] };
    }
    const list =
      parsed &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      Array.isArray((parsed as { items?: unknown }).items)
        ? ((parsed as { items: unknown[] }).items as unknown[])
        : Array.isArray(parsed)
          ? parsed
          : [parsed];
    values = list.map((value, i) => ({ source: `${name}#${i + 1}`, value }));
  } else {
    // The YAML parser recurses: a file of deeply nested brackets would hold the event loop for
    // seconds before it gave up, so such a file is refused before it is parsed.
    if (flowDepth(text) > CATALOG_LIMITS.depth * 4) {
      return {
        entities: [],
        problems: [
          {
            source: name,
            message: `brackets nest deeper than ${CATALOG_LIMITS.depth * 4} levels: the file was skipped`,
          },
        ],
      };
    }
    // Document by document (the parser and composer are lazy), letting the event loop run between
    // slices: a large file must not hold up Slack's 3-second acknowledgements.
    try {
      const composer = new Composer({ prettyErrors: false, uniqueKeys: true });
      let i = 0;
      for (const doc of composer.compose(new Parser().parse(text))) {
        i++;
        if (i % 25 === 0) await breathe();
        if (i > CATALOG_LIMITS.documentsPerFile) {
          truncated = true;
          break;
        }
        const source = `${name}#${i}`;
        if (doc.errors.length) {
          problems.push({ source, message: `not valid YAML: ${messageOf(doc.errors[0])}` });
          continue;
        }
        try {
          const value: unknown = doc.toJS({ maxAliasCount: 50 });
          // An empty document (a stray `---` at the end) is nothing, not a problem.
          if (value !== null && value !== undefined) values.push({ source, value });
        } catch (err) {
          problems.push({ source, message: `not valid YAML: ${messageOf(err)}` });
        }
      }
    } catch (err) {
      return { entities: [], problems: [{ source: name, message: `not valid YAML: ${messageOf(err)}` }] };
    }
  }
  if (truncated || values.length > CATALOG_LIMITS.documentsPerFile) {
    problems.push({
      source: name,
      message: `more than ${CATALOG_LIMITS.documentsPerFile} entities in one file: the rest were skipped`,
    });
    values = values.slice(0, CATALOG_LIMITS.documentsPerFile);
  }
  return { entities: values, problems };
}

/** How deep `[` and `{` nest in a text (brackets in quotes and comments count too: a safe overestimate). */
function flowDepth(text: string): number {
  let depth = 0;
  let most = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) {
      depth++;
      if (depth > most) most = depth;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return most;
}

/** The longest string in a value and how deep it nests, stopping early past the limits. */
function oversized(value: unknown, depth = 0): string | null {
  if (depth > CATALOG_LIMITS.depth) return `it nests deeper than ${CATALOG_LIMITS.depth} levels`;
  if (typeof value === 'string') {
    return value.length > CATALOG_LIMITS.stringChars
      ? `a value is longer than ${CATALOG_LIMITS.stringChars} characters`
      : null;
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      const bad = oversized(v, depth + 1);
      if (bad) return bad;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.length > CATALOG_LIMITS.stringChars) return 'a key is too long';
      const bad = oversized(v, depth + 1);
      if (bad) return bad;
    }
  }
  return null;
}

interface Valid {
  source: string;
  kind: Kind;
  ref: string;
  entity: Entity;
}

/** One raw entity validated by Backstage's policies and its kind's validator; null when it is of another kind. */
async function validate(raw: RawEntity): Promise<Valid | null> {
  const v = raw.value;
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new Error('not an entity (expected a mapping with apiVersion, kind, metadata and spec)');
  const kind = (v as { kind?: unknown }).kind;
  // Other kinds (API, Resource, Domain, Location, Template…) are not the bot's business.
  if (typeof kind === 'string' && !(KINDS as readonly string[]).includes(kind)) return null;
  const bad = oversized(v);
  if (bad) throw new Error(`too large: ${bad}`);
  // The policies may fill in defaults (the namespace): they work on a copy.
  const entity = await POLICY.enforce(structuredClone(v) as Entity);
  if (!entity) throw new Error('not a valid entity');
  const k = entity.kind as Kind;
  const ok = await VALIDATORS[k].check(entity);
  if (!ok)
    throw new Error(
      `not a valid ${k} (apiVersion ${String(entity.apiVersion)} is not backstage.io/v1alpha1 or v1beta1)`,
    );
  return { source: raw.source, kind: k, ref: stringifyEntityRef(entity), entity };
}

/** What a problem says about an entity: its reference when known, then what is wrong. */
const about = (ref: string | null, message: string) => (ref ? `${ref}: ${message}` : message);

/** A reference in spec (owner, system) as a full reference, with the entity's namespace and the default kind; null when malformed. */
function fullRef(ref: string, defaultKind: string, namespace: string): string | null {
  try {
    return stringifyEntityRef(parseEntityRef(ref, { defaultKind, defaultNamespace: namespace }));
  } catch {
    return null;
  }
}

function stringField(o: unknown, key: string): string | null {
  if (!o || typeof o !== 'object') return null;
  const v = (o as Record<string, unknown>)[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** The kind of a link: its type first, then hints in its title or icon. */
export function linkKind(link: {
  type?: string | undefined;
  title?: string | undefined;
  icon?: string | undefined;
}): CatalogLink['kind'] {
  const hint = (s: string | undefined): CatalogLink['kind'] | null => {
    const t = (s ?? '').toLowerCase();
    if (/runbook|playbook|run-book|run book/.test(t)) return 'runbook';
    if (/dashboard|grafana|datadog|kibana|monitor/.test(t)) return 'dashboard';
    return null;
  };
  return hint(link.type) ?? hint(link.title) ?? hint(link.icon) ?? 'other';
}

/** Reads the annotations the bot uses, reporting (and ignoring) wrong values. */
class AnnotationReader {
  private readonly v: Valid;
  private readonly problems: CatalogProblem[];

  constructor(v: Valid, problems: CatalogProblem[]) {
    this.v = v;
    this.problems = problems;
  }

  private raw(key: string): string | null {
    const value = this.v.entity.metadata.annotations?.[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  }

  private wrong(key: string, value: string, expected: string): null {
    this.problems.push({
      source: this.v.source,
      message: about(this.v.ref, `annotation ${key} is \`${clip(value, 80)}\`, not ${expected}: it was ignored`),
    });
    return null;
  }

  pagerDutyServiceId(): string | null {
    const key = ANNOTATIONS.pagerDutyServiceId;
    const value = this.raw(key);
    if (value === null) return null;
    return PAGERDUTY_SERVICE_ID.test(value) ? value : this.wrong(key, value, 'a PagerDuty service ID such as PABC123');
  }

  /** An ID as it is, a name as `#name`. */
  slackChannel(): string | null {
    const key = ANNOTATIONS.slackChannel;
    const value = this.raw(key);
    if (value === null) return null;
    if (CHANNEL_ID.test(value)) return value;
    const name = CHANNEL_NAME.exec(value);
    if (name) return `#${name[1]}`;
    return this.wrong(key, value, 'a Slack channel ID (C0123ABCD) or name (#platform)');
  }

  clinicalCriticality(): ClinicalCriticality | null {
    const key = ANNOTATIONS.clinicalCriticality;
    const value = this.raw(key);
    if (value === null) return null;
    const lower = value.toLowerCase();
    return (CLINICAL_CRITICALITIES as readonly string[]).includes(lower)
      ? (lower as ClinicalCriticality)
      : this.wrong(key, value, `one of ${CLINICAL_CRITICALITIES.join(', ')}`);
  }

  githubProjectSlug(): string | null {
    const key = ANNOTATIONS.githubProjectSlug;
    const value = this.raw(key);
    if (value === null) return null;
    return PROJECT_SLUG.test(value) ? value : this.wrong(key, value, 'a GitHub repository such as acme/ehr-api');
  }

  /** Jira project keys: a capital letter, then capitals, digits or underscores (Jira's default rule), stored in capitals. */
  jiraProjectKey(): string | null {
    const key = ANNOTATIONS.jiraProjectKey;
    const value = this.raw(key);
    if (value === null) return null;
    return JIRA_PROJECT_KEY.test(value)
      ? value.toUpperCase()
      : this.wrong(key, value, 'a Jira project key such as OPS');
  }

  githubUserLogin(): string | null {
    const key = ANNOTATIONS.githubUserLogin;
    const value = this.raw(key);
    if (value === null) return null;
    return GITHUB_LOGIN.test(value) ? value : this.wrong(key, value, 'a GitHub login such as octocat');
  }
}

function linksOf(v: Valid, problems: CatalogProblem[]): CatalogLink[] {
  const links: CatalogLink[] = [];
  for (const link of v.entity.metadata.links ?? []) {
    let url: URL | null = null;
    try {
      url = link.url.length <= CATALOG_LIMITS.urlChars ? new URL(link.url) : null;
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      problems.push({
        source: v.source,
        message: about(v.ref, `link \`${clip(link.url, 80)}\` is not an http(s) URL: it was ignored`),
      });
      continue;
    }
    if (links.length >= CATALOG_LIMITS.links) break;
    const title = clip((link.title ?? '').trim() || url.host, CATALOG_LIMITS.titleChars);
    links.push({ url: url.href, title, kind: linkKind(link) });
  }
  return links;
}

/**
 * The catalog in `raw`: each entity validated, Components and Systems as services (their owner as a
 * full reference, named by the owning Group's title; its channel when they have none), Groups and
 * Users. Problems say where and what; the first of two entities with one reference (or two services
 * with one name: incidents store the name) is kept.
 */
export async function buildCatalog(
  raw: readonly RawEntity[],
  earlier: readonly CatalogProblem[] = [],
): Promise<CatalogContents> {
  const problems: CatalogProblem[] = [...earlier];
  let input = raw;
  if (raw.length > CATALOG_LIMITS.entities) {
    problems.push({
      source: raw[CATALOG_LIMITS.entities]!.source,
      message: `the catalog has more than ${CATALOG_LIMITS.entities} entities: the rest were skipped`,
    });
    input = raw.slice(0, CATALOG_LIMITS.entities);
  }
  const valid: Valid[] = [];
  const seen = new Map<string, string>();
  for (const [n, r] of input.entries()) {
    if (n % 50 === 49) await breathe();
    let v: Valid | null;
    try {
      v = await validate(r);
    } catch (err) {
      const ref = refGuess(r.value);
      problems.push({ source: r.source, message: about(ref, `${messageOf(err)}: it was skipped`) });
      continue;
    }
    if (!v) continue;
    const first = seen.get(v.ref);
    if (first !== undefined) {
      problems.push({ source: v.source, message: about(v.ref, `is also defined at ${first}: this one was skipped`) });
      continue;
    }
    const title = v.entity.metadata.title;
    if (typeof title === 'string' && title.length > CATALOG_LIMITS.titleChars) {
      problems.push({
        source: v.source,
        message: about(v.ref, `metadata.title is longer than ${CATALOG_LIMITS.titleChars} characters: it was skipped`),
      });
      continue;
    }
    seen.set(v.ref, v.source);
    valid.push(v);
  }

  const groups: CatalogGroup[] = valid
    .filter((v) => v.kind === 'Group')
    .map((v) => ({
      ref: v.ref,
      name: v.entity.metadata.name,
      title: stringField(v.entity.metadata, 'title'),
      ...(() => {
        const annotations = new AnnotationReader(v, problems);
        return {
          slackChannel: annotations.slackChannel(),
          githubProjectSlug: annotations.githubProjectSlug(),
          jiraProjectKey: annotations.jiraProjectKey(),
        };
      })(),
    }));
  const users: CatalogUser[] = valid
    .filter((v) => v.kind === 'User')
    .map((v) => {
      const email = stringField((v.entity.spec as { profile?: unknown } | undefined)?.profile, 'email');
      const ok = email !== null && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 254;
      if (email !== null && !ok) {
        problems.push({
          source: v.source,
          message: about(v.ref, `spec.profile.email \`${clip(email, 80)}\` is not an email address: it was ignored`),
        });
      }
      return {
        ref: v.ref,
        name: v.entity.metadata.name,
        email: ok ? email : null,
        githubLogin: new AnnotationReader(v, problems).githubUserLogin(),
      };
    });
  const groupByRef = new Map(groups.map((g) => [g.ref, g]));
  const userByRef = new Map(users.map((u) => [u.ref, u]));

  const services: CatalogService[] = [];
  const serviceNames = new Map<string, string>();
  for (const v of valid) {
    if (v.kind !== 'Component' && v.kind !== 'System') continue;
    const name = v.entity.metadata.name;
    const other = serviceNames.get(name.toLowerCase());
    if (other !== undefined) {
      problems.push({
        source: v.source,
        message: about(
          v.ref,
          `has the same name as ${other} (incidents record services by name): this one was skipped`,
        ),
      });
      continue;
    }
    serviceNames.set(name.toLowerCase(), v.ref);
    const namespace = v.entity.metadata.namespace ?? 'default';
    const spec = (v.entity.spec ?? {}) as Record<string, unknown>;
    const ownerText = stringField(spec, 'owner');
    const owner = ownerText ? fullRef(ownerText, 'group', namespace) : null;
    if (ownerText && !owner) {
      problems.push({
        source: v.source,
        message: about(v.ref, `spec.owner \`${clip(ownerText, 80)}\` is not an entity reference: it was ignored`),
      });
    }
    const group = owner ? groupByRef.get(owner) : undefined;
    const user = owner ? userByRef.get(owner) : undefined;
    const ownerName = owner ? (group ? (group.title ?? group.name) : (user?.name ?? parseEntityRef(owner).name)) : null;
    const systemText = v.kind === 'Component' ? stringField(spec, 'system') : null;
    const systemRef = systemText ? fullRef(systemText, 'system', namespace) : null;
    const annotations = new AnnotationReader(v, problems);
    const description = stringField(v.entity.metadata, 'description');
    services.push({
      ref: v.ref,
      kind: v.kind,
      name,
      title: stringField(v.entity.metadata, 'title'),
      description: description ? clip(description, CATALOG_LIMITS.descriptionChars) : null,
      owner,
      ownerName,
      system: systemRef ? parseEntityRef(systemRef).name : null,
      pagerDutyServiceId: annotations.pagerDutyServiceId(),
      slackChannel: annotations.slackChannel() ?? group?.slackChannel ?? null,
      clinicalCriticality: annotations.clinicalCriticality(),
      githubProjectSlug: annotations.githubProjectSlug(),
      jiraProjectKey: annotations.jiraProjectKey(),
      links: linksOf(v, problems),
    });
  }
  return { services, groups, users, problems: capProblems(problems) };
}

/** At most CATALOG_LIMITS.problems problems, the rest counted in a last one. */
export function capProblems(problems: readonly CatalogProblem[]): CatalogProblem[] {
  if (problems.length <= CATALOG_LIMITS.problems) return [...problems];
  const kept = problems.slice(0, CATALOG_LIMITS.problems - 1);
  return [...kept, { source: 'catalog', message: `and ${problems.length - kept.length} more problems` }];
}

/** `kind:namespace/name` of something that failed validation, when it says enough to tell; else null. */
function refGuess(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const kind = (value as { kind?: unknown }).kind;
  const metadata = (value as { metadata?: unknown }).metadata;
  const name = stringField(metadata, 'name');
  if (typeof kind !== 'string' || !name || kind.length > 63 || name.length > 253) return null;
  const namespace = stringField(metadata, 'namespace') ?? 'default';
  return `${kind.toLowerCase()}:${namespace.slice(0, 63).toLowerCase()}/${name.toLowerCase()}`;
}
