import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { isValidTimeZone } from './domain/time.ts';
import { AppError } from './domain/errors.ts';
import { parseTeamWorkingHours, parseWorkingHours } from './domain/working-hours.ts';
import { parseSigningKey, parseVerifyKey } from './domain/audit-checkpoint.ts';
import { COMMANDER_NUDGE_MINUTES, parseCommanderCadence, parseUpdateCadence } from './domain/reminders.ts';
import { parseTrackerTarget } from './domain/trackers.ts';
import { readPayRulesFile } from './pay-rules-file.ts';
import { parseBreachRegimes } from './domain/breach-regimes.ts';

/** A domain parser as a zod transform: its AppError becomes the variable's message. */
const parsedWith = <T>(parse: (text: string) => T) =>
  z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof AppError ? err.userMessage : String(err) });
      return z.NEVER;
    }
  });

const optional = (schema: z.ZodType<string>) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const channelId = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,}$/, { message: 'must be a Slack channel ID such as C0123ABCD (not a #name)' });

/** Hosts that are this machine: the only ones a secret may be sent to over plain http. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', '::1', 'localhost']);

/** An https URL, or an http one to this machine; anything else (not a URL) is left to the URL check. */
const httpsOrLoopback = (v: string) => {
  if (!URL.canParse(v)) return true;
  const u = new URL(v);
  return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname));
};

const blankIsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A comma-separated list (blank entries dropped; unset is empty), each entry checked by `list`. */
const commaList = <T>(list: z.ZodType<T, string[]>) =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(list);

/** `true` or `false` (any case; blank is unset), as a boolean. */
const booleanSetting = (fallback: boolean) =>
  z
    .preprocess(
      (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim().toLowerCase()) : v),
      z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
    )
    .transform((v) => (v === undefined ? fallback : v === 'true'));

/** A whole number of seconds from `min` to `max`, `fallback` when unset. */
const secondsSetting = (min: number, max: number, fallback: number) => {
  const seconds = (n: number) => `${n} second${n === 1 ? '' : 's'}`;
  return z.coerce
    .number({ message: 'must be a number of seconds' })
    .int()
    .min(min, { message: `must be at least ${seconds(min)}` })
    .max(max, { message: `must be at most ${seconds(max)}` })
    .default(fallback);
};

/** The audit checkpoint keys, also read by `npm run audit:verify` (which needs nothing else of the environment). */
export const auditKeysSchema = z.object({
  /** Ed25519 key that signs audit checkpoints (base64 32-byte seed or PKCS#8 PEM); only ever in the environment. */
  AUDIT_SIGNING_KEY: z.preprocess(blankIsUnset, parsedWith(parseSigningKey).optional()),
  /** The public key audit:verify trusts (base64 or SPKI PEM); derived from AUDIT_SIGNING_KEY when unset. */
  AUDIT_VERIFY_KEY: z.preprocess(blankIsUnset, parsedWith(parseVerifyKey).optional()),
});

/** An RSA private key in PEM that node:crypto reads (what GitHub gives a GitHub App). */
function isRsaPrivateKeyPem(pem: string): boolean {
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) return false;
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

/** The whole environment of the bot, parsed once at start. */
export const configSchema = z
  .object({
    SLACK_BOT_TOKEN: z
      .string({ message: 'is required (the bot token, xoxb-…)' })
      .startsWith('xoxb-', { message: 'must be a bot token starting with xoxb-' }),
    /** Verifies each HTTP request is Slack's; not needed in Socket Mode (SLACK_APP_TOKEN), where Slack's requests come over the bot's own connection. */
    SLACK_SIGNING_SECRET: optional(z.string().min(8, { message: 'is too short to be a signing secret' })),
    /** An app-level token (connections:write): Socket Mode, for a bot without a public URL (local development). */
    SLACK_APP_TOKEN: optional(
      z.string().startsWith('xapp-', { message: 'must be an app-level token starting with xapp-' }),
    ),
    /** Slack's Web API, also where Socket Mode opens its connection (apps.connections.open). */
    SLACK_API_URL: z.url({ message: 'must be a URL' }).default('https://slack.com/api/'),
    INCIDENT_BROADCAST_CHANNEL: channelId
      .optional()
      .refine((v) => v !== undefined, {
        message: 'is required (the ID of the channel where incidents are announced)',
      })
      .transform((v) => v!),
    /** Channel where clinical-safety alerts go (a clinical safety group's channel); optional. */
    CLINICAL_SAFETY_CHANNEL: channelId.optional(),
    /** Slack user group (S…) of clinical safety officers, mentioned in those alerts so they are notified. */
    CLINICAL_SAFETY_GROUP: optional(
      z.string().regex(/^S[A-Z0-9]{2,}$/, { message: 'must be a Slack user group ID such as S0123ABCD' }),
    ),
    PAGERDUTY_TOKEN: optional(z.string().min(10, { message: 'is too short to be a PagerDuty API token' })),
    /** Signing secret of the PagerDuty v3 webhook subscription; without it POST /pagerduty/webhook answers 404. */
    PAGERDUTY_WEBHOOK_SECRET: optional(z.string().min(8, { message: 'is too short to be a webhook signing secret' })),
    /** PagerDuty service IDs whose high-urgency incidents declare an incident here, comma-separated. */
    PAGERDUTY_AUTO_DECLARE_SERVICES: commaList(
      z.array(
        z
          .string()
          .regex(/^P[A-Z0-9]{5,}$/, { message: 'must list PagerDuty service IDs such as PABC123, comma-separated' }),
      ),
    ),
    /** The PagerDuty user the bot acts as when the Slack user's email is unknown. */
    PAGERDUTY_FROM_EMAIL: optional(z.email({ message: 'must be an email address' })),
    /** The PagerDuty service through which a person (`/incident page @user`) is paged. */
    PAGERDUTY_DEFAULT_SERVICE: optional(
      z.string().regex(/^P[A-Z0-9]{5,}$/, { message: 'must be a PagerDuty service ID such as PABC123' }),
    ),
    PAGERDUTY_API_URL: z.url({ message: 'must be a URL' }).default('https://api.pagerduty.com'),
    /**
     * Bearer token of POST /changes (change events from pipelines) and GET /api/freeze (may a pipeline
     * deploy?); without it both answer 404.
     */
    CHANGE_EVENTS_TOKEN: optional(
      z
        .string()
        .min(16, { message: 'is too short to be a bearer token (at least 16 characters)' })
        .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' }),
    ),
    /**
     * The environments a change freeze protects (comma-separated, any case): deployments and changes
     * to others (e.g. staging) go ahead during a freeze. A change naming no environment is protected.
     */
    FREEZE_ENVIRONMENTS: z
      .preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().default('production'))
      .transform((v) => [
        ...new Set(
          v
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean),
        ),
      ])
      .pipe(
        z
          .array(
            z
              .string()
              .max(100, { message: 'an environment name is at most 100 characters' })
              .regex(/^[\x21-\x7e]+$/, {
                message: 'must list environment names (printable, no spaces), comma-separated',
              }),
          )
          .min(1, { message: 'must name at least one environment, e.g. production' }),
      ),
    /** Secret of the GitHub webhook (App or repository); without it POST /github/webhook answers 404. */
    GITHUB_WEBHOOK_SECRET: optional(z.string().min(8, { message: 'is too short to be a webhook secret' })),
    /**
     * GitHub owners (organisations or users) whose repositories' webhooks are taken, comma-separated;
     * unset: any owner the App is installed on. Others are answered 202 ignored and nothing is stored.
     */
    GITHUB_ALLOWED_OWNERS: commaList(
      z
        .array(
          z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, {
            message: 'must list GitHub owners (organisation or user logins such as acme), comma-separated',
          }),
        )
        .max(100, { message: 'can list at most 100 owners' }),
    ),
    /** The service catalog as files: a catalog-info.yaml (or .json), or a folder of them read recursively. */
    CATALOG_PATH: optional(z.string().max(4096, { message: 'is too long to be a path' })),
    /** The service catalog from a Backstage instance's catalog API (https://backstage.example.org). */
    BACKSTAGE_URL: optional(
      z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://backstage.example.org' }),
    ),
    /** Bearer token for BACKSTAGE_URL's catalog API (a static external-access token). */
    BACKSTAGE_TOKEN: optional(
      z
        .string()
        .min(8, { message: 'is too short to be a bearer token' })
        .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' }),
    ),
    /** Seconds between reads of the service catalog (CATALOG_PATH or BACKSTAGE_URL). */
    CATALOG_REFRESH_SECONDS: secondsSetting(10, 86_400, 300),
    /** The GitHub App's ID (a number): with GITHUB_APP_PRIVATE_KEY, the bot reads approvals and answers deployment protection rules. */
    GITHUB_APP_ID: optional(
      z
        .string()
        .trim()
        .regex(/^[1-9][0-9]{0,11}$/, { message: 'must be the GitHub App ID (a number)' }),
    ),
    /** The GitHub App's private key (PEM; `\n`-escaped on one line is accepted). */
    GITHUB_APP_PRIVATE_KEY: optional(
      z
        .string()
        .transform((v) => (v.includes('\\n') ? v.replace(/\\r/g, '').replace(/\\n/g, '\n') : v))
        .refine(isRsaPrivateKeyPem, {
          message: "must be the GitHub App's private key in PEM (-----BEGIN RSA PRIVATE KEY----- …), as GitHub gave it",
        }),
    ),
    /** GitHub's REST API (GitHub Enterprise Server: https://HOST/api/v3). */
    GITHUB_API_URL: z
      .url({ message: 'must be a URL' })
      .refine((v) => /^https?:\/\//.test(v), { message: 'must be an http or https URL' })
      .default('https://api.github.com'),
    /** Jira Cloud (https://your-site.atlassian.net): with JIRA_EMAIL and JIRA_API_TOKEN, action items can be opened as Jira issues. */
    JIRA_BASE_URL: optional(
      z
        .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://acme.atlassian.net' })
        // Plain http would send the API token (basic auth) in clear: only to this machine (tests, stand-ins).
        .refine(httpsOrLoopback, {
          message: 'must be https (http only for 127.0.0.1, ::1 or localhost): the API token would go in clear',
        })
        .transform((v) => v.replace(/\/+$/, '')),
    ),
    /** The Atlassian account the bot acts as in Jira (its email), for basic auth with JIRA_API_TOKEN. */
    JIRA_EMAIL: optional(z.email({ message: 'must be the email of the Atlassian account the bot acts as' })),
    /** An API token of that account (id.atlassian.com › Security › API tokens). */
    JIRA_API_TOKEN: optional(
      z
        .string()
        .min(8, { message: 'is too short to be an API token' })
        .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' }),
    ),
    /** Secret of the Jira webhook (System › WebHooks › Secret); without it POST /jira/webhook answers 404. */
    JIRA_WEBHOOK_SECRET: optional(z.string().min(8, { message: 'is too short to be a webhook secret' })),
    /** The issue type action items are opened as in Jira. */
    JIRA_ISSUE_TYPE: z
      .string()
      .trim()
      .min(1)
      .max(60, { message: 'is too long to be an issue type name' })
      .default('Task'),
    /**
     * Where an action item's issue goes when neither its service nor its team names a tracker in the
     * catalog: `github:owner/repo` or `jira:PROJECT`. Unset: such items stay in Slack only.
     */
    ACTION_TRACKER: z.preprocess(
      blankIsUnset,
      parsedWith((text) => {
        const t = parseTrackerTarget(text);
        if (!t) throw new AppError('must be github:owner/repo or jira:PROJECTKEY, e.g. jira:OPS');
        return t;
      }).optional(),
    ),
    DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, { message: 'must be a postgresql:// URL' })),
    /** The database owner's URL, for migrations; DATABASE_URL is then the bot's least-privileged role. */
    MIGRATION_DATABASE_URL: optional(
      z.string().regex(/^postgres(ql)?:\/\//, { message: 'must be a postgresql:// URL' }),
    ),
    /**
     * Whether a start applies the pending migrations (one replica). false: it only checks that none is
     * pending and refuses to start otherwise (several replicas, migrated by `npm run db:migrate`, e.g. a Job).
     */
    MIGRATE_ON_START: booleanSetting(true),
    /** Folder of the embedded database when DATABASE_URL is not set; `:memory:` keeps nothing. */
    DATA_DIR: z.string().default('./data'),
    PORT: z.coerce
      .number({ message: 'must be a port number' })
      .int()
      .min(0)
      .max(65535, { message: 'must be a port number' })
      .default(3000),
    TZ_DEFAULT: z
      .string()
      .default('UTC')
      .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/London' }),
    /** Working hours for the on-call load report, in each responder's own zone, e.g. `Mon-Fri 09:00-17:30`. */
    ONCALL_WORKING_HOURS: z.string().default('Mon-Fri 09:00-17:30').pipe(parsedWith(parseWorkingHours)),
    /** Per team or schedule (by PagerDuty name): `Platform=Mon-Fri 08:00-16:00; Pharmacy=Mon-Sun 07:00-19:00`. */
    ONCALL_TEAM_WORKING_HOURS: z.string().default('').pipe(parsedWith(parseTeamWorkingHours)),
    /** Slack members (U…) who see the on-call load in the App Home tab, comma-separated. */
    ONCALL_LEADS: commaList(
      z.array(
        z
          .string()
          .regex(/^[UW][A-Z0-9]{2,}$/, { message: 'must list Slack member IDs such as U0123ABCD, comma-separated' }),
      ),
    ),
    /**
     * The pay rules file for `/incident allowances` (YAML, docs/on-call-allowances.md), read once at
     * start; unset: the command says it is not set up.
     */
    ONCALL_PAY_RULES: z.preprocess(
      blankIsUnset,
      z.string().max(4096, { message: 'is too long to be a path' }).pipe(parsedWith(readPayRulesFile)).optional(),
    ),
    /**
     * The personal data breach regimes the workspace answers to, comma-separated: uk-gdpr (the ICO in
     * 72 hours), hipaa (60 days; HHS and the media at 500 people), dspt (NHS DSPT in 72 hours).
     */
    BREACH_REGIMES: z.preprocess(blankIsUnset, z.string().default('uk-gdpr').pipe(parsedWith(parseBreachRegimes))),
    /** Wellbeing messages to the leads (a bad night, the weekly check): on unless `false`; they need ONCALL_LEADS. */
    ONCALL_WELLBEING: booleanSetting(true),
    /** The weekly check: more incidents than this in one 12-hour shift (the SRE book's two). */
    ONCALL_MAX_INCIDENTS_PER_SHIFT: z.coerce
      .number({ message: 'must be a whole number of incidents' })
      .int({ message: 'must be a whole number of incidents' })
      .min(1, { message: 'must be at least 1' })
      .max(100, { message: 'must be at most 100' })
      .default(2),
    /** The weekly check: more of their time on call than this over four weeks, in percent (the SRE book's 25). */
    ONCALL_MAX_ON_CALL_PERCENT: z.coerce
      .number({ message: 'must be a whole number of percent' })
      .int({ message: 'must be a whole number of percent' })
      .min(1, { message: 'must be at least 1' })
      .max(100, { message: 'must be at most 100' })
      .default(25),
    /** Seconds between background retries of incidents whose set-up failed or was cut short (a crash, a Slack outage). */
    PROVISION_RETRY_SECONDS: secondsSetting(1, 3600, 30),
    /**
     * Seconds a run setting up an incident may go without finishing a step before another run (or
     * replica) takes the incident over; a just-declared incident is left to its request for half of it.
     */
    PROVISION_LEASE_SECONDS: secondsSetting(5, 3600, 120),
    /** How many requests' work after the ack runs at once (declaring, status changes, notes…); the rest waits its turn. */
    WORK_CONCURRENCY: z.coerce
      .number({ message: 'must be a whole number' })
      .int({ message: 'must be a whole number' })
      .min(1, { message: 'must be at least 1' })
      .max(64, { message: 'must be at most 64' })
      .default(4),
    /** Seconds a stop (SIGTERM, SIGINT) may spend finishing in-flight work before the process exits with code 1. */
    SHUTDOWN_TIMEOUT_SECONDS: secondsSetting(1, 600, 25),
    /** When set, GET /metrics needs `Authorization: Bearer <this>`. */
    METRICS_TOKEN: optional(
      z
        .string()
        .min(16, { message: 'is too short to be a bearer token (at least 16 characters)' })
        .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' }),
    ),
    /**
     * Minutes without a status update before an incident's channel is reminded (and between reminders), per
     * severity, `off` for none: `SEV1=30,SEV2=60,SEV3=120,SEV4=off`. A severity not listed keeps its default.
     */
    REMINDER_UPDATE_MINUTES: z.preprocess(blankIsUnset, z.string().default('').pipe(parsedWith(parseUpdateCadence))),
    /** Minutes after declaring before the channel is nudged to name a commander when none is set; `off` for never. */
    REMINDER_COMMANDER_MINUTES: z.preprocess(
      blankIsUnset,
      z.string().default(String(COMMANDER_NUDGE_MINUTES)).pipe(parsedWith(parseCommanderCadence)),
    ),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * The web view for leads and auditors (/web): the bot's public address, e.g.
     * https://incident-bot.example.org; with SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and
     * WEB_SESSION_SECRET, people sign in with Slack at <WEB_BASE_URL>/web. Unset: /web answers 404.
     */
    WEB_BASE_URL: optional(
      z
        .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://incident-bot.example.org' })
        .refine(httpsOrLoopback, {
          message:
            'must be https (http only for 127.0.0.1, ::1 or localhost): session cookies are sent only over https',
        })
        .refine(
          (v) => {
            // Not a URL at all is the URL check's to say (zod runs every check): only one that is, read here.
            if (!URL.canParse(v)) return true;
            const u = new URL(v);
            return u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password;
          },
          {
            message:
              'must be the address alone (no path, query, fragment or credentials: the pages are at <WEB_BASE_URL>/web)',
          },
        )
        .transform((v) => v.replace(/\/+$/, '')),
    ),
    /** The Slack app's Client ID (Basic Information › App Credentials), for Sign in with Slack. */
    SLACK_CLIENT_ID: optional(
      z.string().regex(/^\d+\.\d+$/, { message: "must be the app's Client ID, such as 1234567890.1234567890" }),
    ),
    /** The Slack app's Client Secret, for Sign in with Slack. */
    SLACK_CLIENT_SECRET: optional(
      z
        .string()
        .min(16, { message: 'is too short to be a client secret' })
        .regex(/^[\x21-\x7e]+$/, { message: 'must be printable ASCII without spaces' }),
    ),
    /** Signs the web view's cookies: at least 32 random characters (e.g. `openssl rand -base64 48`). */
    WEB_SESSION_SECRET: optional(
      z.string().min(32, { message: 'must be at least 32 characters (openssl rand -base64 48)' }),
    ),
    /** How long a web session lasts after sign-in, in hours (then the person signs in again). */
    WEB_SESSION_HOURS: z.coerce
      .number({ message: 'must be a whole number of hours' })
      .int({ message: 'must be a whole number of hours' })
      .min(1, { message: 'must be at least 1 hour' })
      .max(168, { message: 'must be at most 168 hours (a week)' })
      .default(12),
    /**
     * A web session unused this many minutes ends (shared clinical workstations: the next person
     * must not inherit it).
     */
    WEB_SESSION_IDLE_MINUTES: z.coerce
      .number({ message: 'must be a whole number of minutes' })
      .int({ message: 'must be a whole number of minutes' })
      .min(5, { message: 'must be at least 5 minutes' })
      .max(1440, { message: 'must be at most 1440 minutes (a day)' })
      .default(60),
    /** Where Sign in with Slack's OpenID Connect discovery is (Slack's own; a stand-in in tests). */
    SLACK_OIDC_ISSUER: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .refine(httpsOrLoopback, { message: 'must be https (http only for 127.0.0.1, ::1 or localhost)' })
      .default('https://slack.com'),
    /** The workspace (T…) whose members may sign in to the web view; default the bot token's own. */
    SLACK_TEAM_ID: optional(
      z.string().regex(/^T[A-Z0-9]{2,}$/, { message: 'must be a Slack workspace ID such as T0123ABCD' }),
    ),
    ...auditKeysSchema.shape,
    /** Slack channel where signed audit checkpoints are posted (message and JSON file). */
    AUDIT_CHANNEL: z.preprocess(blankIsUnset, channelId.optional()),
    /** Folder where each signed audit checkpoint is written as a new read-only file. */
    AUDIT_CHECKPOINT_DIR: optional(z.string()),
    /** Hours between scheduled audit checkpoints (periods aligned on midnight UTC when they divide a day). */
    AUDIT_CHECKPOINT_HOURS: z.coerce
      .number({ message: 'must be a whole number of hours' })
      .int({ message: 'must be a whole number of hours' })
      .min(1, { message: 'must be at least 1 hour' })
      .max(720, { message: 'must be at most 720 hours (30 days)' })
      .default(24),
  })
  .superRefine((c, ctx) => {
    if ((c.AUDIT_CHANNEL || c.AUDIT_CHECKPOINT_DIR) && !c.AUDIT_SIGNING_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUDIT_SIGNING_KEY'],
        message:
          'is required when AUDIT_CHANNEL or AUDIT_CHECKPOINT_DIR is set: checkpoints are signed (npm run audit:keygen prints a key)',
      });
    }
    if (c.CATALOG_PATH && c.BACKSTAGE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['CATALOG_PATH'],
        message:
          'and BACKSTAGE_URL are both set: the catalog is read from one of them (files, or a Backstage instance)',
      });
    }
    if (c.BACKSTAGE_TOKEN && !c.BACKSTAGE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['BACKSTAGE_TOKEN'],
        message: 'is set without BACKSTAGE_URL (the Backstage instance it is for)',
      });
    }
    if (Boolean(c.GITHUB_APP_ID) !== Boolean(c.GITHUB_APP_PRIVATE_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.GITHUB_APP_ID ? 'GITHUB_APP_PRIVATE_KEY' : 'GITHUB_APP_ID'],
        message:
          'is required when the other of GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY is set (the GitHub App is both)',
      });
    }
    const jira = [c.JIRA_BASE_URL, c.JIRA_EMAIL, c.JIRA_API_TOKEN];
    if (jira.some(Boolean) && !jira.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: [!c.JIRA_BASE_URL ? 'JIRA_BASE_URL' : !c.JIRA_EMAIL ? 'JIRA_EMAIL' : 'JIRA_API_TOKEN'],
        message: 'is required when any of JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN is set (Jira needs all three)',
      });
    }
    if (c.ACTION_TRACKER?.tracker === 'jira' && !c.JIRA_BASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['ACTION_TRACKER'],
        message: 'names Jira, which is not configured (JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN)',
      });
    }
    if (c.ACTION_TRACKER?.tracker === 'github' && !c.GITHUB_APP_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['ACTION_TRACKER'],
        message: 'names GitHub, whose App is not configured (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY)',
      });
    }
    const web = [c.WEB_BASE_URL, c.SLACK_CLIENT_ID, c.SLACK_CLIENT_SECRET, c.WEB_SESSION_SECRET];
    if (web.some(Boolean) && !web.every(Boolean)) {
      const names = ['WEB_BASE_URL', 'SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'WEB_SESSION_SECRET'] as const;
      ctx.addIssue({
        code: 'custom',
        path: [names[web.findIndex((v) => !v)]!],
        message:
          'is required when any of WEB_BASE_URL, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and WEB_SESSION_SECRET is set (the web view needs all four)',
      });
    }
    if (c.MIGRATION_DATABASE_URL && !c.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['MIGRATION_DATABASE_URL'],
        message: "needs DATABASE_URL too (the bot's own role on the same database; the embedded database has one role)",
      });
    }
  })
  // Checked whatever else is wrong, so that a missing secret is named beside the other problems.
  .check(
    z.refine((c) => Boolean(c.SLACK_SIGNING_SECRET || c.SLACK_APP_TOKEN), {
      path: ['SLACK_SIGNING_SECRET'],
      message: 'is required (Basic Information › Signing Secret), unless SLACK_APP_TOKEN is set for Socket Mode',
      when: (payload) => {
        const issues = payload.issues.map((i) => i.path?.[0]);
        return (
          typeof payload.value === 'object' &&
          payload.value !== null &&
          !issues.includes('SLACK_SIGNING_SECRET') &&
          !issues.includes('SLACK_APP_TOKEN')
        );
      },
    }),
  );
export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a problem is one line naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}. See docs/configuration.md.`);
}
