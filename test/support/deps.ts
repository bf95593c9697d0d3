// The use cases' dependencies for service tests, built in one place: `testDeps(overrides)` gives a
// complete ServiceDeps. Given a database (`db`, from useTestStore), the stores are the real ones on
// it; without one, every store refuses to be used (`unused`). Slack is a recording FakeChat, the
// clock a TestClock, the logger silent, the reminders a no-op, and the after-commit hooks the
// production ones. Anything in `overrides` replaces the default (settings are merged).
import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/database.ts';
import { PrismaAuditTrail } from '../../src/db/prisma-audit-trail.ts';
import { PrismaIncidentStore } from '../../src/db/prisma-incident-store.ts';
import { PrismaLoadCache } from '../../src/db/prisma-load-cache.ts';
import { PgWellbeingAlerts } from '../../src/db/pg-wellbeing-alerts.ts';
import { PrismaReviewStore } from '../../src/db/prisma-review-store.ts';
import type { ActionItem } from '../../src/domain/action-items.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { PostIncidentReview } from '../../src/domain/review.ts';
import { silentLogger } from '../../src/logger.ts';
import type {
  ChatFile,
  ChatMessage,
  ChatPlatform,
  CreateChannelResult,
  MemberStanding,
  Notice,
  SummaryContext,
} from '../../src/ports/chat-platform.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { endFreezesAfterCommit } from '../../src/services/freeze/after-commit.ts';
import { postReviewAfterCommit } from '../../src/services/review/after-commit.ts';
import { LOAD_SETTINGS, unused } from './fixtures.ts';
import { PrismaTrackerLinkStore } from '../../src/db/prisma-tracker-links.ts';
import { PgIncidentRegister } from '../../src/db/pg-incident-register.ts';
import { PgEvidenceRecords } from '../../src/db/pg-evidence-records.ts';
import { PgInsightFigures } from '../../src/db/pg-insight-figures.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { PrismaChangeLog } from '../../src/db/prisma-change-log.ts';
import { EMPTY_CATALOG } from '../../src/domain/catalog.ts';
import { PrismaFreezeStore } from '../../src/db/prisma-freeze-store.ts';
import { PrismaBreachNotificationStore } from '../../src/db/prisma-breach-notifications.ts';
import { NO_BREACH_ASSESSMENTS } from '../../src/ports/breach-notifications.ts';

/** A clock the test sets: fixed at `start`, or (without one) the real time; `advance` moves either on. */
export class TestClock implements Clock {
  private fixed: Date | null;
  private offsetMs = 0;

  constructor(start?: Date) {
    this.fixed = start ?? null;
  }

  now(): Date {
    return new Date((this.fixed ? this.fixed.getTime() : Date.now()) + this.offsetMs);
  }

  /** From now on the clock reads `at` (until set again). */
  set(at: Date): void {
    this.fixed = at;
    this.offsetMs = 0;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

type ChatMethod = keyof ChatPlatform;

/**
 * A ChatPlatform that records what the bot sends and answers from what the test set up. `before`
 * runs ahead of every call (to hold a post open, or throw); `failOn` makes a method throw.
 */
export class FakeChat implements ChatPlatform {
  /** Every call, in order: the method and its arguments. */
  readonly calls: { method: ChatMethod; args: unknown[] }[] = [];
  /** Notices posted (channel, or a user ID for a direct notice). */
  readonly notices: { channelId: string; notice: Notice }[] = [];
  /** Private replies through a response URL. */
  readonly replies: { responseUrl: string; text: string; blocks?: Record<string, unknown>[]; replace?: true }[] = [];
  readonly directMessages: { userId: string; text: string }[] = [];
  readonly channels: { id: string; name: string; isPrivate: boolean }[] = [];
  readonly invites: { channelId: string; userIds: string[] }[] = [];
  /** Summaries posted and redrawn, each with the incident as drawn. */
  readonly summaries: {
    channelId: string;
    ts: string;
    incident: Incident;
    redraw: boolean;
    context: SummaryContext;
  }[] = [];
  readonly pins: { channelId: string; ts: string }[] = [];
  readonly announcements: { channelId: string; ts: string; incident: Incident }[] = [];
  readonly reviews: { channelId: string; review: PostIncidentReview; ts: string }[] = [];
  readonly files: { channelId: string; file: ChatFile }[] = [];
  readonly privateFiles: { userId: string; files: ChatFile[] }[] = [];
  readonly actionReminders: { item: ActionItem; reminder: 'due' | 'overdue'; today: string }[] = [];

  /** Who is a member of which channel (`C1/UBOB`), unless `everyoneIsMember`. */
  readonly members = new Set<string>();
  everyoneIsMember: boolean;
  /** Messages fetchMessage finds, by `channel/ts` (their permalink is filled in). */
  readonly messages = new Map<string, ChatMessage>();
  /** Members' own time zones; unknown: null. */
  readonly zones = new Map<string, string | null>();
  /** Members' names (displayNames); unknown: left out. */
  readonly names = new Map<string, string>();
  /** Members' standing in the workspace (memberStanding); unknown: a full member. */
  readonly standings = new Map<string, MemberStanding['standing']>();
  /** Members' emails; unknown: `<user id in lower case>@example.org`. */
  readonly emails = new Map<string, string | null>();
  /** Runs ahead of every call: await to hold it, throw to fail it. */
  before: ((method: ChatMethod, args: unknown[]) => void | Promise<void>) | null = null;
  private readonly failures = new Map<ChatMethod, Error>();
  private seq = 0;

  constructor(opts: { everyoneIsMember?: boolean } = {}) {
    this.everyoneIsMember = opts.everyoneIsMember ?? true;
  }

  /** `method` throws `err` from now on; null: works again. */
  failOn(method: ChatMethod, err: Error | null): void {
    if (err) this.failures.set(method, err);
    else this.failures.delete(method);
  }

  /** Only the members added with this are members from now on. */
  onlyMembers(channelId: string, ...userIds: string[]): void {
    this.everyoneIsMember = false;
    for (const u of userIds) this.members.add(`${channelId}/${u}`);
  }

  addMessage(channelId: string, m: Omit<ChatMessage, 'permalink'>): void {
    this.messages.set(`${channelId}/${m.ts}`, { ...m, permalink: permalinkFor(channelId, m.ts) });
  }

  /** The kinds of the notices posted, in order. */
  noticeKinds(): Notice['kind'][] {
    return this.notices.map((n) => n.notice.kind);
  }

  /** The notices posted to one channel (or user). */
  noticesTo(channelId: string): Notice[] {
    return this.notices.filter((n) => n.channelId === channelId).map((n) => n.notice);
  }

  private async enter(method: ChatMethod, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    await this.before?.(method, args);
    const err = this.failures.get(method);
    if (err) throw err;
  }

  private nextTs(): string {
    return `${1_764_000_000 + ++this.seq}.000100`;
  }

  async createChannel(name: string, isPrivate: boolean): Promise<CreateChannelResult> {
    await this.enter('createChannel', [name, isPrivate]);
    const id = `C${randomUUID().slice(0, 8).toUpperCase()}`;
    this.channels.push({ id, name, isPrivate });
    return { ok: true, id, name };
  }

  async findChannelByName(name: string) {
    await this.enter('findChannelByName', [name]);
    const found = this.channels.find((c) => c.name === name);
    return found ? { id: found.id, name: found.name, createdByBot: true } : null;
  }

  async inviteUsers(channelId: string, userIds: string[]): Promise<void> {
    await this.enter('inviteUsers', [channelId, userIds]);
    this.invites.push({ channelId, userIds });
  }

  async privateChannelsOf(userId: string): Promise<Set<string>> {
    await this.enter('privateChannelsOf', [userId]);
    const of = new Set<string>();
    for (const c of this.channels)
      if (c.isPrivate && (this.everyoneIsMember || this.members.has(`${c.id}/${userId}`))) of.add(c.id);
    for (const m of this.members) if (m.endsWith(`/${userId}`)) of.add(m.slice(0, m.indexOf('/')));
    return of;
  }

  async isMember(channelId: string, userId: string): Promise<boolean> {
    await this.enter('isMember', [channelId, userId]);
    return this.everyoneIsMember || this.members.has(`${channelId}/${userId}`);
  }

  async postSummary(
    channelId: string,
    incident: Incident,
    context: SummaryContext = { service: null, changes: [] },
  ): Promise<string> {
    await this.enter('postSummary', [channelId, incident]);
    const ts = this.nextTs();
    this.summaries.push({ channelId, ts, incident, redraw: false, context });
    return ts;
  }

  async updateSummary(
    channelId: string,
    ts: string,
    incident: Incident,
    context: SummaryContext = { service: null, changes: [] },
  ): Promise<void> {
    await this.enter('updateSummary', [channelId, ts, incident]);
    this.summaries.push({ channelId, ts, incident, redraw: true, context });
  }

  async pinMessage(channelId: string, ts: string): Promise<void> {
    await this.enter('pinMessage', [channelId, ts]);
    this.pins.push({ channelId, ts });
  }

  async announce(broadcastChannelId: string, incident: Incident): Promise<string> {
    await this.enter('announce', [broadcastChannelId, incident]);
    const ts = this.nextTs();
    this.announcements.push({ channelId: broadcastChannelId, ts, incident });
    return ts;
  }

  async replyPrivately(
    responseUrl: string,
    text: string,
    blocks?: Record<string, unknown>[],
    opts: { replace?: boolean } = {},
  ): Promise<void> {
    await this.enter('replyPrivately', [responseUrl, text, blocks]);
    this.replies.push({ responseUrl, text, ...(blocks ? { blocks } : {}), ...(opts.replace ? { replace: true } : {}) });
  }

  async directMessage(userId: string, text: string): Promise<void> {
    await this.enter('directMessage', [userId, text]);
    this.directMessages.push({ userId, text });
  }

  async notify(channelId: string, notice: Notice): Promise<string> {
    await this.enter('notify', [channelId, notice]);
    this.notices.push({ channelId, notice });
    return this.nextTs();
  }

  async fetchMessage(channelId: string, ts: string): Promise<ChatMessage | null> {
    await this.enter('fetchMessage', [channelId, ts]);
    return this.messages.get(`${channelId}/${ts}`) ?? null;
  }

  async permalink(channelId: string, ts: string): Promise<string | null> {
    await this.enter('permalink', [channelId, ts]);
    return permalinkFor(channelId, ts);
  }

  async userEmail(userId: string): Promise<string | null> {
    await this.enter('userEmail', [userId]);
    return this.emails.has(userId) ? this.emails.get(userId)! : `${userId.toLowerCase()}@example.org`;
  }

  async userIdByEmail(email: string): Promise<string | null> {
    await this.enter('userIdByEmail', [email]);
    return this.userWithEmail(email);
  }

  async userIdsByEmail(emails: readonly string[]): Promise<Map<string, string>> {
    await this.enter('userIdsByEmail', [emails]);
    const found = new Map<string, string>();
    for (const email of emails) {
      const user = this.userWithEmail(email);
      if (user) found.set(email.toLowerCase(), user);
    }
    return found;
  }

  async userTimeZone(userId: string): Promise<string | null> {
    await this.enter('userTimeZone', [userId]);
    return this.zones.get(userId) ?? null;
  }

  async displayNames(userIds: readonly string[]): Promise<Map<string, string>> {
    await this.enter('displayNames', [userIds]);
    return new Map(userIds.flatMap((id) => (this.names.has(id) ? [[id, this.names.get(id)!] as const] : [])));
  }

  async memberStanding(userId: string): Promise<MemberStanding> {
    await this.enter('memberStanding', [userId]);
    return { standing: this.standings.get(userId) ?? 'member', timeZone: this.zones.get(userId) ?? null };
  }

  async postReview(channelId: string, review: PostIncidentReview, ts: string | null): Promise<string> {
    await this.enter('postReview', [channelId, review, ts]);
    const posted = ts ?? this.nextTs();
    this.reviews.push({ channelId, review, ts: posted });
    return posted;
  }

  async uploadFile(channelId: string, file: ChatFile): Promise<void> {
    await this.enter('uploadFile', [channelId, file]);
    this.files.push({ channelId, file });
  }

  async sendFilesPrivately(userId: string, files: ChatFile[]): Promise<void> {
    await this.enter('sendFilesPrivately', [userId, files]);
    this.privateFiles.push({ userId, files });
  }

  async remindActionOwner(item: ActionItem, reminder: 'due' | 'overdue', today: string): Promise<void> {
    await this.enter('remindActionOwner', [item, reminder, today]);
    this.actionReminders.push({ item, reminder, today });
  }

  private userWithEmail(email: string): string | null {
    for (const [user, e] of this.emails) if (e?.toLowerCase() === email.toLowerCase()) return user;
    const m = /^([a-z0-9]+)@example\.org$/i.exec(email);
    return m ? m[1]!.toUpperCase() : null;
  }
}

/** The permalink FakeChat gives a message. */
export const permalinkFor = (channelId: string, ts: string) =>
  `https://example.slack.com/archives/${channelId}/p${ts.replace('.', '')}`;

/** The settings of a test: the defaults below, with any of them replaced. */
export const TEST_SETTINGS: ServiceDeps['settings'] = {
  broadcastChannelId: 'CBROADCAST',
  clinicalSafetyChannelId: null,
  clinicalSafetyGroupId: null,
  pagerDutyFromEmail: null,
  defaultTimeZone: 'Europe/London',
  ...LOAD_SETTINGS,
};

export type TestDepsOverrides = Partial<Omit<ServiceDeps, 'settings'>> & {
  /** The database the real stores work on (useTestStore's db()); none: the stores refuse to be used. */
  db?: Database;
  settings?: Partial<ServiceDeps['settings']>;
};

/** A complete ServiceDeps for a service test; see the top of this file. */
export function testDeps(overrides: TestDepsOverrides = {}): ServiceDeps {
  const { db, settings, ...given } = overrides;
  return {
    store: db ? new PrismaIncidentStore(db.prisma) : unused('store'),
    reviews: db ? new PrismaReviewStore(db.prisma) : unused('reviews'),
    audit: db ? new PrismaAuditTrail(db.prisma) : unused('audit'),
    register: db ? new PgIncidentRegister(db.prisma, db.pool) : unused('register'),
    insights: db ? new PgInsightFigures(db.prisma, db.pool) : unused('insights'),
    evidence: db ? new PgEvidenceRecords(db.prisma) : unused('evidence'),
    loadCache: db ? new PrismaLoadCache(db.prisma, db.pool) : unused('loadCache'),
    wellbeingAlerts: db ? new PgWellbeingAlerts(db.pool) : unused('wellbeingAlerts'),
    chat: new FakeChat(),
    clock: new TestClock(),
    logger: silentLogger,
    reminders: { schedule: async () => {} },
    onCall: null,
    history: null,
    catalog: staticCatalog(EMPTY_CATALOG),
    changes: db ? new PrismaChangeLog(db.prisma) : unused('changes'),
    freezes: db ? new PrismaFreezeStore(db.prisma) : unused('freezes'),
    breachNotifications: db ? new PrismaBreachNotificationStore(db.prisma) : unused('breachNotifications'),
    breachAssessments: db
      ? { assessmentOf: (id) => new PrismaIncidentStore(db.prisma).breachAssessment(id) }
      : NO_BREACH_ASSESSMENTS,
    codeHost: null,
    trackers: {},
    trackerLinks: db ? new PrismaTrackerLinkStore(db.prisma) : unused('trackerLinks'),
    afterCommit: [endFreezesAfterCommit, postReviewAfterCommit],
    ...given,
    settings: { ...TEST_SETTINGS, ...settings },
  };
}
