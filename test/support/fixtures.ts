import type { Incident } from '../../src/domain/incident.ts';

/** A complete, provisioned incident for tests; override what matters. */
export function anIncident(overrides: Partial<Incident> = {}): Incident {
  const at = new Date('2026-11-24T14:05:00Z');
  return {
    id: '2f1c6a52-8d0e-4a57-9f0f-0a1b2c3d4e5f',
    number: 42,
    title: 'EHR login failing',
    description: '',
    affectedService: null,
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
    clinicalNotifiedAt: null,
    onCallInvitedAt: null,
    onCallLookupFailedNoticed: false,
    nearMiss: false,
    ...overrides,
  };
}

/** A ReviewStore for tests of use cases that must not touch reviews: any call fails the test. */
export function unusedReviewStore(): import('../../src/ports/review-store.ts').ReviewStore {
  return new Proxy({} as import('../../src/ports/review-store.ts').ReviewStore, {
    get: (_t, name) => () => {
      throw new Error(`this test does not expect reviews.${String(name)}()`);
    },
  });
}
