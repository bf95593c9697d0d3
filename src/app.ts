import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { openBotDatabase } from './db/open-bot-database.ts';
import { PrismaIncidentStore } from './db/prisma-incident-store.ts';
import { PrismaTrackerLinkStore } from './db/prisma-tracker-links.ts';
import { PrismaReviewStore } from './db/prisma-review-store.ts';
import { PrismaLoadCache } from './db/prisma-load-cache.ts';
import { PrismaAuditTrail } from './db/prisma-audit-trail.ts';
import { PgIncidentRegister } from './db/pg-incident-register.ts';
import { PgEvidenceRecords } from './db/pg-evidence-records.ts';
import { CheckpointFolder } from './jobs/checkpoint-folder.ts';
import { PgInsightFigures } from './db/pg-insight-figures.ts';
import { PgDeliveryLog } from './db/pg-delivery-log.ts';
import { PgDeclarationIntake } from './db/pg-declaration-intake.ts';
import { PgWellbeingAlerts } from './db/pg-wellbeing-alerts.ts';
import type { DeclarationIntake } from './ports/declaration-intake.ts';
import { PagerDutyHistory } from './pagerduty/history.ts';
import type { OnCallHistory } from './ports/on-call-history.ts';
import { remindBreachObligations } from './services/incident/remind-breach-obligations.ts';
import { sendActionReminders } from './services/review/send-action-reminders.ts';
import { sendWellbeingAlerts } from './services/on-call/send-wellbeing-alerts.ts';
import { applyTrackerEvent } from './services/trackers/apply-tracker-event.ts';
import { forgetOldDeliveries } from './services/trackers/forget-old-deliveries.ts';
import { type GitHubIssues, gitHubIssuesFromConfig } from './trackers/github-issues.ts';
import { type JiraCloud, jiraFromConfig } from './trackers/jira.ts';
import { issuesHandler } from './github/issue-handlers.ts';
import { jiraWebhookRoute } from './jira/webhook-route.ts';
import type { CatalogSnapshot } from './domain/catalog.ts';
import { TRACKER_SYNC_BATCH, syncTrackerIssues } from './services/trackers/sync-tracker-issues.ts';
import { startReminderQueue } from './jobs/reminder-queue.ts';
import { startAuditCheckpoints, type AuditCheckpoints } from './jobs/audit-checkpoints.ts';
import { InFlight } from './inflight.ts';
import { WorkLimit } from './work-limit.ts';
import { actingAs } from './audit-context.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { OnCallProvider } from './ports/on-call-provider.ts';
import { endFreezesAfterCommit, endFreezesOfEndedIncidents } from './services/freeze/after-commit.ts';
import { postReviewAfterCommit } from './services/review/after-commit.ts';
import type { ServiceDeps } from './services/deps.ts';
import { resumeProvisioning } from './services/incident/resume-provisioning.ts';
import { sendOwedNoticesPass } from './services/owed-notices.ts';
import { resumeDeclarations } from './services/incident/resume-declarations.ts';
import { handlePagerDutyEvent } from './services/on-call/handle-pagerduty-event.ts';
import { pagerDutyWebhookRoute } from './pagerduty/webhook-route.ts';
import { PagerDutyOnCall } from './pagerduty/on-call.ts';
import { createSlackApp, createSlackClient, httpServerOf, type SlackAppOptions } from './slack/app.ts';
import { SlackChatPlatform } from './slack/chat-platform.ts';
import { slackResponseUrlCheck } from './slack/response-urls.ts';
import { gitHubWebhookRoute } from './github/webhook-route.ts';
import { staticCatalog, type ServiceCatalog } from './ports/service-catalog.ts';
import { RefreshingCatalog } from './catalog/refreshing-catalog.ts';
import { readCatalogPath } from './catalog/file-source.ts';
import { readBackstageCatalog } from './catalog/backstage-source.ts';
import { PrismaChangeLog } from './db/prisma-change-log.ts';
import { EMPTY_CATALOG } from './domain/catalog.ts';
import { PrismaFreezeStore } from './db/prisma-freeze-store.ts';
import { PrismaBreachNotificationStore } from './db/prisma-breach-notifications.ts';
import type { CodeHost } from './ports/code-host.ts';
import { freezeRoute } from './http/freeze-route.ts';
import { checkFreeze } from './services/freeze/check-freeze.ts';
import { deploymentProtectionRuleHandler } from './github/deployment-protection-rule.ts';
import { GitHubAppClient } from './github/client.ts';
import { deploymentStatusHandler, pullRequestHandler } from './github/change-handlers.ts';
import { changesRoute } from './http/changes-route.ts';
import { PrismaWebSessionStore } from './db/prisma-web-sessions.ts';
import { webFromConfig } from './web/web-deps.ts';
import { webRoute } from './web/router.ts';
import { WEB_PAGES } from './web/pages/index.ts';

export interface RunningBot {
  /** The HTTP port (0 was asked: the one the OS gave). */
  port: number;
  deps: ServiceDeps;
  db: Database;
  /** Declarations held from before their ack until their incident is recorded. */
  intake: DeclarationIntake;
  /** The limit on work after acks (WORK_CONCURRENCY). */
  work: WorkLimit;
  /** What GET /metrics serves. */
  metrics: Metrics;
  /** Resolves when no request is still being processed. */
  idle(): Promise<void>;
  /** Runs one pass of the background retry: held declarations never recorded, then half-declared incidents. */
  resumeNow(): Promise<void>;
  /** Runs one pass of the action item reminders (due today, overdue weekly). */
  remindActionOwnersNow(): Promise<void>;
  /** Runs one sweep of the wellbeing messages to the on-call leads (bad nights, the weekly check). */
  wellbeingNow(): Promise<void>;
  /** One sweep of the breach regimes' reminders and HIPAA's year-end list (remind-breach-obligations.ts). */
  remindBreachObligationsNow(): Promise<void>;
  /** Runs the tracker sync until no work is due (new items' issues, changes pushed, retries due). */
  trackerSyncNow(): Promise<void>;
  /** Queues the current period's audit checkpoint unless it is written (a no-op when checkpoints are off). */
  auditCheckpointTickNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** ms between background retries of half-declared incidents; 0 turns the timer off. */
  resumeEveryMs?: number;
  slackRetries?: SlackAppOptions['retries'];
  /** Replaces the PagerDuty adapter (tests). */
  onCall?: OnCallProvider;
  /** Replaces PagerDuty's on-call history (tests). */
  history?: OnCallHistory;
  /** ms between sweeps for action item reminders (default 15 minutes); 0 turns the timer off. */
  actionRemindersEveryMs?: number;
  /** ms between sweeps for the wellbeing messages to the on-call leads (default 15 minutes); 0 turns the timer off. */
  wellbeingEveryMs?: number;
  /** Audit checkpoint timing (tests): ms between schedule ticks (0: off), retry delay, queue polling. */
  auditCheckpoints?: {
    tickEveryMs?: number;
    retryDelaySeconds?: number;
    retryBackoff?: boolean;
    pollingIntervalSeconds?: number;
  };
  /** More origins whose response URLs count as Slack's (tests serving them apart from SLACK_API_URL). */
  responseUrlOrigins?: string[];
  /** A new embedded database starts from this migrated tarball instead of initdb (default: the one made at install; null: none). */
  embeddedTemplate?: string | null;
  /** Replaces the code host (GitHub as a GitHub App) (tests: a fake that records the answers). */
  codeHost?: CodeHost;
  /** The bot's database, already being opened (openBotDatabase: npm start begins it while the bot loads). */
  database?: Promise<Database>;
  /** Replaces the service catalog of CATALOG_PATH or BACKSTAGE_URL (tests). */
  catalog?: ServiceCatalog;
  /** Replaces the trackers of the GitHub App and JIRA_* (tests). */
  trackers?: ServiceDeps['trackers'];
  /** ms between tracker sync sweeps (default 30 s); 0 turns the timer off. */
  trackerSyncEveryMs?: number;
}

const authTestAnswer = z.object({
  user_id: z.string().max(100),
  user: z.string().max(200).optional(),
  bot_id: z.string().max(100).optional(),
  team_id: z.string().max(100).optional(),
  team: z.string().max(200).optional(),
  url: z.string().max(500).optional(),
});

/** The bot token's workspace (auth.test), asked once it is known; null while Slack cannot say (asked again next time). */
const botTeamIds = new WeakMap<object, string>();
export async function botTeamId(client: { auth: { test(): Promise<unknown> } }): Promise<string | null> {
  const known = botTeamIds.get(client);
  if (known) return known;
  try {
    const answer = authTestAnswer.safeParse(await client.auth.test());
    const team = answer.success ? (answer.data.team_id ?? null) : null;
    if (team) botTeamIds.set(client, team);
    return team;
  } catch {
    return null;
  }
}

/** Logs the bot's identity from `auth.test` (bot user, workspace); a failure is a warning, the bot runs on. */
export async function logSlackIdentity(client: { auth: { test(): Promise<unknown> } }, logger: Logger): Promise<void> {
  try {
    const answer = authTestAnswer.safeParse(await client.auth.test());
    if (!answer.success) {
      logger.warn({}, 'Slack answered auth.test with something unexpected: the bot identity is unknown');
      return;
    }
    const a = answer.data;
    logger.info(
      {
        botUserId: a.user_id,
        botName: a.user ?? null,
        botId: a.bot_id ?? null,
        teamId: a.team_id ?? null,
        team: a.team ?? null,
        url: a.url ?? null,
      },
      'Slack bot identity (auth.test)',
    );
  } catch (err) {
    logger.warn({ err }, 'could not ask Slack who the bot is (auth.test): check SLACK_BOT_TOKEN and SLACK_API_URL');
  }
}

/**
 * The trackers action items are opened in: GitHub Issues when the GitHub App is configured (sharing
 * its client, so installation tokens are cached once), Jira Cloud when JIRA_* are.
 */
export function trackersFromConfig(
  config: Config,
  catalog: () => CatalogSnapshot,
  logger: Logger,
  gitHubApp: GitHubAppClient | null,
): { github?: GitHubIssues; jira?: JiraCloud } {
  const github = gitHubIssuesFromConfig(config, catalog, logger, gitHubApp ?? undefined);
  const jira = jiraFromConfig(config, logger);
  return { ...(github ? { github } : {}), ...(jira ? { jira } : {}) };
}

/** The PagerDuty adapter, when a token is configured. */
function pagerDutyFromConfig(config: Config, metrics: Metrics): OnCallProvider | null {
  if (!config.PAGERDUTY_TOKEN) return null;
  return PagerDutyOnCall.create({
    token: config.PAGERDUTY_TOKEN,
    baseUrl: config.PAGERDUTY_API_URL,
    observe: metrics.observePagerDuty,
    defaultServiceId: config.PAGERDUTY_DEFAULT_SERVICE ?? null,
  });
}

/**
 * The service catalog the configuration names (CATALOG_PATH or BACKSTAGE_URL), refreshed in the
 * background; null when none is configured (services are then free text).
 */
export function catalogFromConfig(config: Config, logger: Logger, clock: Clock): RefreshingCatalog | null {
  const everyMs = config.CATALOG_REFRESH_SECONDS * 1000;
  if (config.CATALOG_PATH) {
    const catalogPath = config.CATALOG_PATH;
    return new RefreshingCatalog({
      source: 'file',
      location: catalogPath,
      read: () => readCatalogPath(catalogPath),
      logger,
      clock,
      everyMs,
    });
  }
  if (config.BACKSTAGE_URL) {
    const url = new URL(config.BACKSTAGE_URL);
    const baseUrl = config.BACKSTAGE_URL;
    const token = config.BACKSTAGE_TOKEN ?? null;
    return new RefreshingCatalog({
      source: 'backstage',
      location: `${url.origin}${url.pathname}`,
      read: () => readBackstageCatalog({ baseUrl, token }),
      logger,
      clock,
      everyMs,
    });
  }
  return null;
}

/** Composition root: database, Slack, use cases, background work. */
export async function startBot(config: Config, opts: StartOptions = {}): Promise<RunningBot> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const db = await (opts.database ?? openBotDatabase(config, logger, opts.embeddedTemplate));
  // The data folder as an absolute path: ./data is relative to where the bot was started, and
  // starting it from another folder makes a new, empty database there.
  logger.info({ database: db.description, ...(db.dataDir ? { dataDir: db.dataDir } : {}) }, 'database ready');
  // Which migrations this start applied (MIGRATE_ON_START=false applies none: it has checked that none is pending).
  logger.info(
    { migrations: db.applied },
    db.applied.length
      ? `applied ${db.applied.length} database migration${db.applied.length === 1 ? '' : 's'}: ${db.applied.join(', ')}`
      : 'no pending database migrations',
  );
  if (db.fromTemplate) {
    logger.info(
      { dataDir: db.dataDir },
      'the new embedded database was loaded from the template made at install, with every migration of this version',
    );
  }
  if (db.created) {
    logger.warn(
      { dataDir: db.dataDir },
      'a new, empty embedded database was made in this folder: if the bot had incidents, it was started from another folder (DATA_DIR is relative to it) or DATA_DIR changed; set DATA_DIR to the absolute path of the existing data folder',
    );
  }
  const store = new PrismaIncidentStore(db.prisma);
  const work = new WorkLimit(config.WORK_CONCURRENCY);
  const metrics = createMetrics({
    openIncidents: () => store.countActiveBySeverity(),
    logger,
    work: () => work.stats,
    token: config.METRICS_TOKEN ?? null,
  });
  const inflight = new InFlight();
  const clock = opts.clock ?? systemClock;
  const responseUrls = slackResponseUrlCheck(config.SLACK_API_URL, opts.responseUrlOrigins);
  // Slack's Web API client first: the chat platform the use cases speak through is made with it.
  const slackClient = createSlackClient({
    config,
    logger,
    metrics,
    ...(opts.slackRetries ? { retries: opts.slackRetries } : {}),
  });
  // The service catalog's first read (it never fails the start: a bad catalog is reported and skipped).
  const refreshingCatalog = opts.catalog ? null : catalogFromConfig(config, logger, clock);
  await refreshingCatalog?.start();
  const catalog: ServiceCatalog = opts.catalog ?? refreshingCatalog ?? staticCatalog(EMPTY_CATALOG);
  // Everything the use cases need but the reminder queue, which is started with these.
  const reviews = new PrismaReviewStore(db.prisma);
  const gitHubApp =
    config.GITHUB_APP_ID && config.GITHUB_APP_PRIVATE_KEY
      ? new GitHubAppClient({
          appId: config.GITHUB_APP_ID,
          privateKey: config.GITHUB_APP_PRIVATE_KEY,
          apiUrl: config.GITHUB_API_URL,
        })
      : null;
  const configuredTrackers = trackersFromConfig(config, () => catalog.current(), logger, gitHubApp);
  if (!opts.trackers)
    logger.info(
      {
        github: Boolean(configuredTrackers.github),
        jira: configuredTrackers.jira ? config.JIRA_BASE_URL : false,
        default: config.ACTION_TRACKER ? `${config.ACTION_TRACKER.tracker}:${config.ACTION_TRACKER.target}` : null,
      },
      configuredTrackers.github || configuredTrackers.jira
        ? 'action item trackers on: new items open issues where the catalog or ACTION_TRACKER says'
        : 'action item trackers off: set up the GitHub App or JIRA_* to open action items as issues (docs/trackers.md)',
    );
  const core: Omit<ServiceDeps, 'reminders'> = {
    store,
    reviews,
    chat: new SlackChatPlatform(slackClient, config.TZ_DEFAULT, clock, responseUrls),
    clock,
    logger,
    onCall: opts.onCall ?? pagerDutyFromConfig(config, metrics),
    history:
      opts.history ??
      (config.PAGERDUTY_TOKEN
        ? PagerDutyHistory.create({
            token: config.PAGERDUTY_TOKEN,
            baseUrl: config.PAGERDUTY_API_URL,
            observe: metrics.observePagerDuty,
          })
        : null),
    loadCache: new PrismaLoadCache(db.prisma, db.pool),
    wellbeingAlerts: new PgWellbeingAlerts(db.pool),
    audit: new PrismaAuditTrail(db.prisma),
    register: new PgIncidentRegister(db.prisma, db.pool),
    insights: new PgInsightFigures(db.prisma, db.pool),
    evidence: new PgEvidenceRecords(db.prisma),
    ...(config.AUDIT_CHECKPOINT_DIR ? { checkpointArchive: new CheckpointFolder(config.AUDIT_CHECKPOINT_DIR) } : {}),
    catalog,
    changes: new PrismaChangeLog(db.prisma),
    freezes: new PrismaFreezeStore(db.prisma),
    breachNotifications: new PrismaBreachNotificationStore(db.prisma),
    // The assessment as recorded (`/incident breach assess`), for the notification drafts.
    breachAssessments: { assessmentOf: (id) => store.breachAssessment(id) },
    codeHost: opts.codeHost ?? gitHubApp,
    trackers: opts.trackers ?? configuredTrackers,
    trackerLinks: new PrismaTrackerLinkStore(db.prisma),
    // A resolved incident (or a near miss) gets its review posted: the review feature's part.
    afterCommit: [endFreezesAfterCommit, postReviewAfterCommit],
    settings: {
      broadcastChannelId: config.INCIDENT_BROADCAST_CHANNEL,
      clinicalSafetyChannelId: config.CLINICAL_SAFETY_CHANNEL ?? null,
      clinicalSafetyGroupId: config.CLINICAL_SAFETY_GROUP ?? null,
      pagerDutyFromEmail: config.PAGERDUTY_FROM_EMAIL ?? null,
      defaultTimeZone: config.TZ_DEFAULT,
      workingHours: config.ONCALL_WORKING_HOURS,
      teamWorkingHours: config.ONCALL_TEAM_WORKING_HOURS,
      oncallLeads: config.ONCALL_LEADS,
      payRules: config.ONCALL_PAY_RULES ?? null,
      breachRegimes: config.BREACH_REGIMES,
      wellbeing: {
        enabled: config.ONCALL_WELLBEING,
        maxIncidentsPerShift: config.ONCALL_MAX_INCIDENTS_PER_SHIFT,
        maxOnCallShare: config.ONCALL_MAX_ON_CALL_PERCENT / 100,
      },
      githubAllowedOwners: config.GITHUB_ALLOWED_OWNERS,
      provisioning: { leaseMs: config.PROVISION_LEASE_SECONDS * 1000, graceMs: config.PROVISION_LEASE_SECONDS * 500 },
      reminderCadence: {
        updateMinutes: config.REMINDER_UPDATE_MINUTES,
        commanderMinutes: config.REMINDER_COMMANDER_MINUTES,
        // The ICO's 72-hour clock is UK GDPR's: off when BREACH_REGIMES leaves it out.
        icoClock: config.BREACH_REGIMES.includes('uk-gdpr'),
      },
      freezeEnvironments: config.FREEZE_ENVIRONMENTS,
      actionTracker: config.ACTION_TRACKER ?? null,
    },
  };
  const intake = new PgDeclarationIntake(db.pool);
  const autoDeclareServiceIds = new Set(config.PAGERDUTY_AUTO_DECLARE_SERVICES);
  // Reminder jobs (pg-boss) on the database's own pool; reschedules every active incident on start.
  const reminderQueue = await startReminderQueue({ pool: db.pool, deps: core }).catch((err: unknown) => {
    refreshingCatalog?.stop();
    throw err;
  });
  // Signed checkpoints of the audit trail, on the same pg-boss, when a key and a destination are set.
  let checkpoints: AuditCheckpoints | null = null;
  if (config.AUDIT_SIGNING_KEY && (config.AUDIT_CHECKPOINT_DIR || config.AUDIT_CHANNEL)) {
    checkpoints = await startAuditCheckpoints({
      boss: reminderQueue.boss,
      pool: db.pool,
      deps: core,
      signer: config.AUDIT_SIGNING_KEY,
      dir: config.AUDIT_CHECKPOINT_DIR ?? null,
      channelId: config.AUDIT_CHANNEL ?? null,
      periodHours: config.AUDIT_CHECKPOINT_HOURS,
      ...opts.auditCheckpoints,
    }).catch(async (err: unknown) => {
      refreshingCatalog?.stop();
      await reminderQueue.stop().catch(() => {});
      await db.close().catch(() => {});
      throw err;
    });
    logger.info(
      {
        dir: config.AUDIT_CHECKPOINT_DIR ?? null,
        channelId: config.AUDIT_CHANNEL ?? null,
        everyHours: config.AUDIT_CHECKPOINT_HOURS,
        key: config.AUDIT_SIGNING_KEY.publicKey.fingerprint,
      },
      'audit checkpoints on',
    );
  } else {
    logger.info(
      {},
      'audit checkpoints off: set AUDIT_CHECKPOINT_DIR or AUDIT_CHANNEL, and AUDIT_SIGNING_KEY, to anchor the audit trail outside the database',
    );
  }
  // The GitHub App: who approved merged pull requests, and the deployment protection rule's answers.
  if (!opts.codeHost)
    logger.info(
      core.codeHost ? { appId: config.GITHUB_APP_ID, apiUrl: config.GITHUB_API_URL } : {},
      core.codeHost
        ? 'GitHub App on: pull request approvals and deployment protection answers'
        : 'GitHub App off: set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY to read pull request approvals and answer deployment protection rules',
    );
  let stopped = false;
  // Action items' tracker issues: a pass at a time; a kick during a pass runs one more after it.
  let syncing: Promise<void> | null = null;
  let syncAgain = false;
  const trackerSyncNow = (): Promise<void> => {
    if (syncing) {
      syncAgain = true;
      return syncing;
    }
    syncing = (async () => {
      do {
        syncAgain = false;
        const result = await inflight.track(
          actingAs({ actor: 'bot', via: 'tracker sync' }, () => syncTrackerIssues(deps)).catch((err: unknown) => {
            logger.error({ err }, 'tracker sync failed');
            return null;
          }),
        );
        // A full batch: there may be more.
        if (result && result.created + result.pushed + result.failed + result.none >= TRACKER_SYNC_BATCH)
          syncAgain = true;
      } while (syncAgain && !stopped);
    })().finally(() => {
      syncing = null;
    });
    return syncing;
  };
  const deps: ServiceDeps = {
    ...core,
    trackerSync: { kick: () => void trackerSyncNow() },
    reminders: reminderQueue.scheduler,
    ...(checkpoints ? { auditCheckpoints: checkpoints } : {}),
  };
  // The web view for leads and auditors (/web), when Sign in with Slack is configured.
  const webSessions = new PrismaWebSessionStore(db.prisma);
  const web = webFromConfig(config, deps, webSessions, () => botTeamId(slackClient), logger);
  logger.info(
    web ? { url: `${config.WEB_BASE_URL}/web` } : {},
    web
      ? 'web view on: leads and auditors sign in with Slack'
      : 'web view off: set WEB_BASE_URL, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and WEB_SESSION_SECRET to serve it (docs/web.md)',
  );
  let app: ReturnType<typeof createSlackApp>;
  try {
    app = createSlackApp({
      config,
      ctx: { deps, work, intake },
      healthCheck: () => store.ping(),
      metrics,
      deliveries: new PgDeliveryLog(db.pool),
      responseUrls,
      track: inflight.track,
      extraRoutes: [
        pagerDutyWebhookRoute({
          secret: config.PAGERDUTY_WEBHOOK_SECRET ?? null,
          handle: (event) =>
            actingAs({ actor: 'pagerduty', via: `webhook incident.${event.kind}` }, () =>
              handlePagerDutyEvent(deps, event, { autoDeclareServiceIds }),
            ),
          track: inflight.track,
          logger,
        }),
        freezeRoute({
          token: config.CHANGE_EVENTS_TOKEN ?? null,
          check: async (service) => (await checkFreeze(deps, service)).verdict,
          logger,
        }),
        gitHubWebhookRoute({
          secret: config.GITHUB_WEBHOOK_SECRET ?? null,
          allowedOwners: config.GITHUB_ALLOWED_OWNERS,
          handlers: {
            deployment_protection_rule: deploymentProtectionRuleHandler(deps, logger),
            deployment_status: deploymentStatusHandler(deps),
            pull_request: pullRequestHandler(deps),
            // Action items' issues closed, reopened, assigned or re-dated in GitHub.
            issues: issuesHandler({
              apply: (event) => applyTrackerEvent(deps, event),
              selfLogin: async () => (await deps.trackers.github?.selfId()) ?? null,
              logger,
            }),
          },
          track: inflight.track,
          logger,
        }),
        changesRoute({ token: config.CHANGE_EVENTS_TOKEN ?? null, deps, track: inflight.track, logger }),
        // Action items' issues closed, reopened, assigned or re-dated in Jira.
        jiraWebhookRoute({
          secret: config.JIRA_WEBHOOK_SECRET ?? null,
          apply: (event) => applyTrackerEvent(deps, event),
          selfAccountId: async () => (await deps.trackers.jira?.selfId()) ?? null,
          track: inflight.track,
          logger,
          baseUrl: config.JIRA_BASE_URL ?? null,
        }),
        ...(web ? [webRoute(web, WEB_PAGES, inflight.track)] : []),
      ],
      ...(opts.slackRetries ? { retries: opts.slackRetries } : {}),
    });
  } catch (err) {
    refreshingCatalog?.stop();
    await checkpoints?.stop().catch(() => {});
    await reminderQueue.stop().catch(() => {});
    await db.close().catch(() => {});
    throw err;
  }

  const resumePass = async () => {
    await inflight.track(
      resumeDeclarations(deps, intake).then(
        () => undefined,
        (err) => logger.error({ err }, 'background retry of held declarations failed'),
      ),
    );
    await inflight.track(
      actingAs({ actor: 'bot', via: 'provisioning retry' }, () => resumeProvisioning(deps)).then(
        () => undefined,
        (err) => logger.error({ err }, 'background retry of incident set-up failed'),
      ),
    );
    await inflight.track(
      actingAs({ actor: 'bot', via: 'notice retry' }, () => sendOwedNoticesPass(deps)).then(
        () => undefined,
        (err) => logger.error({ err }, 'background retry of freeze and clinical-safety notices failed'),
      ),
    );
    await inflight.track(
      actingAs({ actor: 'bot', via: 'freeze retry' }, () => endFreezesOfEndedIncidents(deps)).then(
        () => undefined,
        (err) => logger.error({ err }, 'background sweep of the freezes of resolved incidents failed'),
      ),
    );
  };
  // One pass at a time: a pass slower than the interval is joined, not run beside itself.
  let resuming: Promise<void> | null = null;
  const resumeNow = () => (resuming ??= resumePass().finally(() => (resuming = null)));
  const started = await app.start(config.PORT);
  const port = (httpServerOf(app, started).address() as AddressInfo).port;
  logger.info({ port, mode: config.SLACK_APP_TOKEN ? 'socket' : 'http' }, 'incident bot listening');
  // Who the token is (one line), without holding up the start: Slack may be slow or down.
  void logSlackIdentity(slackClient, logger);

  const every = opts.resumeEveryMs ?? config.PROVISION_RETRY_SECONDS * 1000;
  const timer = every > 0 ? setInterval(() => void resumeNow(), every) : null;
  timer?.unref();
  if (every > 0) void resumeNow();

  // Action item reminders: a sweep every replica runs; each reminder is claimed once (compare-and-set).
  const remindActionOwnersNow = async () => {
    await inflight.track(
      actingAs({ actor: 'bot', via: 'action item reminders' }, () => sendActionReminders(deps)).then(
        () => undefined,
        (err) => logger.error({ err }, 'action item reminders failed'),
      ),
    );
  };
  // The breach regimes' reminders and HIPAA's year-end list: the same kind of sweep, on the same timer.
  const remindBreachObligationsNow = async () => {
    await inflight.track(
      actingAs({ actor: 'bot', via: 'breach reminders' }, () => remindBreachObligations(deps)).then(
        () => undefined,
        (err) => logger.error({ err }, 'breach reminders failed'),
      ),
    );
  };
  const remindEvery = opts.actionRemindersEveryMs ?? 15 * 60_000;
  const remindTimer =
    remindEvery > 0
      ? setInterval(() => {
          void remindActionOwnersNow();
          void remindBreachObligationsNow();
        }, remindEvery)
      : null;
  remindTimer?.unref();

  // Wellbeing messages to the on-call leads: a sweep every replica runs; each message is claimed once.
  let wellbeingSweep: Promise<void> | null = null;
  const wellbeingNow = () =>
    (wellbeingSweep ??= inflight
      .track(
        actingAs({ actor: 'bot', via: 'wellbeing check' }, () => sendWellbeingAlerts(deps)).then(
          () => undefined,
          (err) => logger.error({ err }, 'wellbeing messages to the on-call leads failed'),
        ),
      )
      .finally(() => (wellbeingSweep = null)));
  const wellbeingEvery = opts.wellbeingEveryMs ?? 15 * 60_000;
  const wellbeingTimer = wellbeingEvery > 0 ? setInterval(() => void wellbeingNow(), wellbeingEvery) : null;
  wellbeingTimer?.unref();

  const syncEvery = opts.trackerSyncEveryMs ?? 30_000;
  const syncTimer =
    syncEvery > 0
      ? setInterval(() => {
          void trackerSyncNow();
          void inflight.track(
            forgetOldDeliveries(deps).catch((err: unknown) => {
              logger.error({ err }, 'forgetting old tracker deliveries failed');
              return 0;
            }),
          );
          void inflight.track(
            webSessions.deleteExpired(clock.now()).catch((err: unknown) => {
              logger.error({ err }, 'deleting expired web sessions failed');
              return 0;
            }),
          );
        }, syncEvery)
      : null;
  syncTimer?.unref();

  return {
    port,
    deps,
    db,
    intake,
    work,
    metrics,
    idle: () => inflight.idle(),
    resumeNow,
    remindActionOwnersNow,
    wellbeingNow,
    remindBreachObligationsNow,
    trackerSyncNow,
    auditCheckpointTickNow: async () => {
      await checkpoints?.tick();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      if (remindTimer) clearInterval(remindTimer);
      if (wellbeingTimer) clearInterval(wellbeingTimer);
      if (syncTimer) clearInterval(syncTimer);
      refreshingCatalog?.stop();
      try {
        await app.stop(); // no new requests
        await inflight.idle(); // work after acks finishes
        await checkpoints?.stop();
        await reminderQueue.stop();
      } finally {
        await db.close();
      }
    },
  };
}
