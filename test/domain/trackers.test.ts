import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  issueMarker,
  parseTrackerTarget,
  patchFor,
  retryDelayMs,
  trackerIssueDraft,
  trackerTargetFor,
  type SyncedFields,
  type TrackerKind,
} from '../../src/domain/trackers.ts';
import { aService, catalogGroup, catalogOf } from '../support/catalog.ts';

const both = new Set<TrackerKind>(['github', 'jira']);

describe('parseTrackerTarget (ACTION_TRACKER)', () => {
  test('github:owner/repo and jira:KEY (any case, the key in capitals)', () => {
    assert.deepEqual(parseTrackerTarget('github:acme/incident-actions'), {
      tracker: 'github',
      target: 'acme/incident-actions',
    });
    assert.deepEqual(parseTrackerTarget(' Jira:ops '), { tracker: 'jira', target: 'OPS' });
  });
  test('anything else is refused', () => {
    for (const bad of [
      '',
      'jira',
      'jira:',
      'jira:1OPS',
      'jira:OPS-1',
      'github:acme',
      'github:acme/x/y',
      'gitlab:a/b',
      'jira:ABCDEFGHIJK',
    ])
      assert.equal(parseTrackerTarget(bad), null, bad);
  });
});

describe('trackerTargetFor', () => {
  const catalog = {
    ...catalogOf(
      aService({ name: 'ehr-api', jiraProjectKey: 'EHR', githubProjectSlug: 'acme/ehr-api' }),
      aService({ name: 'letters', owner: 'group:default/comms', githubProjectSlug: 'acme/letters' }),
      aService({ name: 'lab', owner: 'group:default/comms' }),
      aService({ name: 'orphan', owner: null }),
    ),
    groups: [catalogGroup('comms', { jiraProjectKey: 'COMMS' }), catalogGroup('platform')],
  };
  const fallback = { tracker: 'github' as const, target: 'acme/incidents' };

  test('the service’s Jira project, then its repository', () => {
    assert.deepEqual(trackerTargetFor(catalog, { service: 'EHR-API', team: null }, both, null), {
      tracker: 'jira',
      target: 'EHR',
    });
    assert.deepEqual(trackerTargetFor(catalog, { service: 'letters', team: null }, both, null), {
      tracker: 'github',
      target: 'acme/letters',
    });
  });
  test('only configured trackers count', () => {
    assert.deepEqual(trackerTargetFor(catalog, { service: 'ehr-api', team: null }, new Set(['github']), null), {
      tracker: 'github',
      target: 'acme/ehr-api',
    });
    assert.equal(trackerTargetFor(catalog, { service: 'lab', team: null }, new Set(['github']), null), null);
    assert.equal(trackerTargetFor(catalog, { service: 'orphan', team: null }, new Set(), fallback), null);
  });
  test('then the owning team’s (or the item’s own team’s), then the default, then none', () => {
    assert.deepEqual(trackerTargetFor(catalog, { service: 'lab', team: null }, both, fallback), {
      tracker: 'jira',
      target: 'COMMS',
    });
    assert.deepEqual(trackerTargetFor(catalog, { service: null, team: 'group:default/comms' }, both, null), {
      tracker: 'jira',
      target: 'COMMS',
    });
    assert.deepEqual(trackerTargetFor(catalog, { service: 'orphan', team: null }, both, fallback), fallback);
    assert.deepEqual(
      trackerTargetFor(catalog, { service: 'not in the catalog', team: null }, both, fallback),
      fallback,
    );
    assert.equal(trackerTargetFor(catalog, { service: 'orphan', team: null }, both, null), null);
  });
});

describe('trackerIssueDraft', () => {
  const item = {
    id: '3f1c2a7e-0000-4000-8000-000000000001',
    number: 12,
    text: 'Alert when the letter queue passes 500',
    due: '2026-12-10',
    priority: 'high' as const,
    category: 'observability' as const,
    incidentNumber: 42,
    incidentTitle: 'Discharge letters delayed',
    incidentPrivate: false,
    team: 'group:default/platform',
  };
  const opts = {
    incidentLink: 'https://slack.com/app_redirect?channel=C1',
    service: 'letters',
    assignee: null,
    ownerName: 'Owen',
  };

  test('a public incident’s item: its text, the incident, service, link, owner, due date, priority, category and marker', () => {
    const d = trackerIssueDraft(item, opts);
    assert.equal(d.title, 'ACT-12: Alert when the letter queue passes 500');
    for (const line of [
      'From the post-incident review of **INC-42**: Discharge letters delayed',
      'Service: letters',
      'Incident: https://slack.com/app_redirect?channel=C1',
      'Owner: Owen',
      'Due: 2026-12-10',
      'Priority: high',
      'Category: observability',
      `<!-- ${issueMarker(item.id)} -->`,
    ])
      assert.ok(d.body.split('\n').includes(line), line);
    assert.deepEqual(d.labels, ['incident-action', 'priority:high', 'category:observability']);
    assert.equal(d.marker, issueMarker(item.id));
  });
  test('a private incident’s item says only the references: no text, title or service', () => {
    const d = trackerIssueDraft({ ...item, incidentPrivate: true }, opts);
    assert.equal(d.title, 'ACT-12: action item from INC-42');
    assert.doesNotMatch(d.body, /letter|Discharge|Service:/);
    assert.match(d.body, /INC-42/);
  });
  test('a drill’s item is marked as an exercise in the tracker: [DRILL] in the title and a line saying so', () => {
    const d = trackerIssueDraft({ ...item, incidentDrill: true }, opts);
    assert.equal(d.title, '[DRILL] ACT-12: Alert when the letter queue passes 500');
    assert.match(d.body.split('\n')[0]!, /^\*\*EXERCISE\*\*: from a drill of INC-42, not a real incident\./);
    const hidden = trackerIssueDraft({ ...item, incidentDrill: true, incidentPrivate: true }, opts);
    assert.equal(hidden.title, '[DRILL] ACT-12: action item from INC-42');
    assert.equal(trackerIssueDraft({ ...item, incidentDrill: false }, opts).title, trackerIssueDraft(item, opts).title);
  });
  test('personal data is removed from everything sent, and the title is one line of at most 250 characters', () => {
    const d = trackerIssueDraft(
      {
        ...item,
        text: `Ring 07700 900123 about NHS number 943 476 5919\n${'x'.repeat(400)}`,
        incidentTitle: 'jane.doe@example.com cannot log in',
      },
      { ...opts, ownerName: 'owen@example.org' },
    );
    assert.doesNotMatch(d.title + d.body, /07700|943 476 5919|jane\.doe@example\.com|owen@example\.org/);
    assert.ok(d.title.length <= 250);
    assert.doesNotMatch(d.title, /\n/);
  });
});

describe('patchFor and retryDelayMs', () => {
  const synced: SyncedFields = { status: 'open', ownerId: 'UA', due: '2026-12-10', snoozedUntil: null };
  test('only what differs; nothing when in step', () => {
    assert.equal(patchFor(synced, synced), null);
    assert.deepEqual(patchFor({ ...synced, status: 'done' }, synced), { state: 'closed' });
    assert.deepEqual(patchFor(synced, { ...synced, status: 'done' }), { state: 'open' });
    assert.deepEqual(patchFor({ ...synced, ownerId: 'UB', due: null }, synced), { ownerId: 'UB', due: null });
    assert.deepEqual(patchFor({ ...synced, snoozedUntil: '2026-12-01' }, synced), { snoozedUntil: '2026-12-01' });
    assert.equal(patchFor({ ...synced, snoozedUntil: null }, { ...synced, snoozedUntil: '2026-12-01' }), null);
  });
  test('30 s doubling, at most an hour', () => {
    assert.deepEqual([1, 2, 3, 8, 50].map(retryDelayMs), [30_000, 60_000, 120_000, 3_600_000, 3_600_000]);
  });
});
