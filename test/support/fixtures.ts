import { randomUUID } from 'node:crypto';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { ActionItem } from '../../src/domain/action-items.ts';
import type { RegisterFilter } from '../../src/domain/register.ts';
import { declaredIncident, type Declaration } from '../../src/domain/declaration.ts';
import type { IncidentStore, PagerDutyLink } from '../../src/ports/incident-store.ts';

/** A complete, provisioned incident for tests; override what matters. */
export function anIncident(overrides: Partial<Incident> = {}): Incident {
  const at = new Date('2026-11-24T14:05:00Z');
  return {
    id: '2f1c6a52-8d0e-4a57-9f0f-0a1b2c3d4e5f',
    number: 42,
    title: 'EHR login failing',
    description: '',
    affectedService: null,
    serviceOwner: null,
    severity: 'SEV2',
    status: 'DECLARED',
    isPrivate: false,
    clinicalImpact: false,
    declaredBy: 'UALICE',
    roles: {},
    channelId: 'C42',
    channelName: 'inc-42-ehr-login-failing',
    summaryTs: '1764000000.000100',
    summaryPinned: true,
    declarerInvited: true,
    announcementTs: '1764000000.000200',
    provisionedAt: at,
    provisionAttempts: 0,
    provisionError: null,
    responseUrl: null,
    createdAt: at,
    updatedAt: at,
    resolvedAt: null,
    closedAt: null,
    lastUpdateAt: at,
    updateReminderDueAt: null,
    commanderNudgedAt: null,
    freezeActive: false,
    freezeAnnounced: false,
    clinicalNotifiedAt: null,
    onCallInvitedAt: null,
    onCallLookupFailedNoticed: false,
    nearMiss: false,
    drill: false,
    dataBreach: false,
    breachAwareAt: null,
    breachNotifiedAt: null,
    breachNotifiedBy: null,
    breachRemindedHours: 0,
    breachReportable: null,
    ...overrides,
  };
}

/** A port for tests of use cases that must not touch it: any call fails the test. */
export function unused<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_t, name) => () => {
      throw new Error(`this test does not expect ${what}.${String(name)}()`);
    },
  });
}

/** A ReviewStore for tests of use cases that must not touch reviews. */
export const unusedReviewStore = () => unused<import('../../src/ports/review-store.ts').ReviewStore>('reviews');

/** The on-call load settings, at their defaults, for tests that build ServiceDeps by hand. */
export const LOAD_SETTINGS = {
  workingHours: DEFAULT_WORKING_HOURS,
  teamWorkingHours: new Map<string, import('../../src/domain/working-hours.ts').WorkingHours>(),
  oncallLeads: [] as string[],
};

/**
 * What the declare use case hands the store for a declaration (domain/declaration.ts:
 * declaredIncident), for tests that record incidents straight in the store. Unless given: a new
 * key, aDeclaration(), declared by UALICE with `/incident declare` now, from no channel.
 */
export function declaring(
  input: Partial<{
    declareKey: string;
    declaration: Declaration;
    declaredBy: string;
    originChannelId: string | null;
    responseUrl: string | null;
    declaredAt: Date;
    via: string;
    pagerDutyLink: PagerDutyLink;
  }> = {},
): Parameters<IncidentStore['createIfAbsent']>[0] {
  const {
    declareKey = randomUUID(),
    pagerDutyLink,
    declaration = aDeclaration(),
    declaredBy = 'UALICE',
    originChannelId = null,
    responseUrl = null,
    declaredAt = new Date(),
    via = 'command',
  } = input;
  return {
    declareKey,
    ...declaredIncident({ declaration, declaredBy, originChannelId, responseUrl, declaredAt, via }),
    ...(pagerDutyLink ? { pagerDutyLink } : {}),
  };
}

/** What a person declares, complete (as parseDeclaration gives it); override what matters. */
export function aDeclaration(overrides: Partial<Declaration> = {}): Declaration {
  return {
    title: 'EHR login failing',
    severity: 'SEV2',
    description: '',
    affectedService: null,
    isPrivate: false,
    clinicalImpact: false,
    nearMiss: false,
    drill: false,
    ...overrides,
  };
}

/**
 * An incident declared by `declaredBy` at `at`, provisioned with a channel of its own and a pinned
 * summary, and commanded by `commander`: what the action item and tracker use cases start from.
 */
export async function aCommandedIncident(
  store: Pick<IncidentStore, 'createIfAbsent' | 'recordProvisioning' | 'applyChange' | 'findById'>,
  o: { declaration?: Partial<Declaration>; declaredBy: string; commander: string; at: Date },
): Promise<Incident & { channelId: string }> {
  const { incident } = await store.createIfAbsent(
    declaring({
      declareKey: randomUUID(),
      declaration: aDeclaration({ title: 'Discharge letters delayed', ...o.declaration }),
      declaredBy: o.declaredBy,
      declaredAt: o.at,
      via: 'test',
    }),
  );
  await store.recordProvisioning(incident.id, {
    channelId: `C${randomUUID().slice(0, 8).toUpperCase()}`,
    summaryTs: '1764000000.000100',
  });
  await store.applyChange(
    incident.id,
    { role: { role: 'COMMANDER', userId: o.commander, assignedBy: o.declaredBy } },
    { occurredAt: o.at, kind: 'test_setup', actorId: null, text: 'set up for the test' },
  );
  return (await store.findById(incident.id)) as Incident & { channelId: string };
}

let actionItemSeq = 0;
/** An open action item of INC-7 (ACT-1, ACT-2… in turn) for view and access tests; override what matters. */
export function anActionItem(overrides: Partial<ActionItem> = {}): ActionItem {
  actionItemSeq += 1;
  return {
    id: `7c0f6a52-8d0e-4a57-9f0f-${String(actionItemSeq).padStart(12, '0')}`,
    number: actionItemSeq,
    incidentId: '2f1c6a52-8d0e-4a57-9f0f-0a1b2c3d4e5f',
    incidentNumber: 7,
    incidentTitle: 'Pharmacy orders',
    incidentPrivate: false,
    incidentChannelId: 'C07',
    text: 'Alert on failed orders',
    team: null,
    ownerId: 'UBOB',
    due: '2026-12-01',
    category: 'observability',
    priority: 'high',
    status: 'open',
    createdBy: 'UALICE',
    createdAt: new Date('2026-11-20T10:00:00Z'),
    completedAt: null,
    completedBy: null,
    snoozedUntil: null,
    dueRemindedAt: null,
    overdueRemindedAt: null,
    tracker: null,
    ...overrides,
  };
}

/** A register filter: November 2026 in Europe/London, nothing else narrowed, with any field replaced. */
export function aRegisterFilter(over: Partial<RegisterFilter> = {}): RegisterFilter {
  return {
    from: '2026-11-01',
    to: '2026-11-30',
    timeZone: 'Europe/London',
    severities: [],
    status: null,
    service: null,
    owner: null,
    nearMiss: null,
    drill: null,
    q: null,
    ...over,
  };
}
