// DORA's change failure rate and time to restore from rows: the 24-hour window after a change, what
// counts as a failure (not a near miss, not private, the same service), the percentiles, and the
// grouping by owner then service.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  deliveryByOwner,
  deliveryFiguresOf,
  percentileCont,
  refName,
  type DeliveryChange,
  type DeliveryIncident,
} from '../../src/domain/delivery-metrics.ts';

const t0 = new Date('2026-11-01T00:00:00Z');
const at = (hours: number) => new Date(t0.getTime() + hours * 3600_000);
const since = at(0);
const until = at(24 * 30);
const change = (service: string, hours: number, owner: string | null = 'group:default/platform'): DeliveryChange => ({
  service,
  owner,
  occurredAt: at(hours),
});
const incident = (service: string | null, hours: number, o: Partial<DeliveryIncident> = {}): DeliveryIncident => ({
  affectedService: service,
  owner: null,
  isPrivate: false,
  nearMiss: false,
  createdAt: at(hours),
  resolvedAt: null,
  ...o,
});

describe('percentileCont', () => {
  test("PostgreSQL's percentile_cont: linear between the two nearest", () => {
    assert.equal(percentileCont([], 0.5), null);
    assert.equal(percentileCont([7], 0.9), 7);
    assert.equal(percentileCont([10, 20, 30, 40], 0.5), 25);
    assert.equal(percentileCont([10, 20, 30, 40], 0.9), 37);
    assert.equal(percentileCont([10, 20, 30], 0.5), 20);
  });
});

describe('change failure rate', () => {
  test('a change fails when an incident on its service is declared after it, within 24 hours', () => {
    const [ehr] = deliveryFiguresOf({
      since,
      until,
      changes: [
        change('ehr-api', 100), // incident 24 h later exactly: failed
        change('ehr-api', 200), // incident 24 h + 1 min later: not
        change('ehr-api', 300), // incident at the same moment: not (it was not after)
        change('ehr-api', 400), // a near miss after it: not a failure
        change('ehr-api', 500), // a private incident after it: not counted
        change('ehr-api', 600), // an incident on another service: not
        change('EHR-API ', 700), // the same service, named otherwise: failed
      ],
      incidents: [
        incident('ehr-api', 124),
        incident('ehr-api', 224 + 1 / 60),
        incident('ehr-api', 300),
        incident('ehr-api', 401, { nearMiss: true }),
        incident('ehr-api', 501, { isPrivate: true }),
        incident('pharmacy', 601),
        incident(' ehr-api', 701),
      ],
    }).filter((s) => s.service.trim().toLowerCase() === 'ehr-api');
    assert.equal(ehr!.changes, 7);
    assert.equal(ehr!.failedChanges, 2);
    assert.equal(ehr!.incidents, 5, 'the private one is left out; the near miss counts as an incident');
  });

  test('a change at the end of the period counts with an incident after the period', () => {
    const [s] = deliveryFiguresOf({
      since,
      until,
      changes: [change('lab', 24 * 30 - 1)],
      incidents: [incident('lab', 24 * 30 + 1)],
    });
    assert.deepEqual([s!.changes, s!.failedChanges, s!.incidents], [1, 1, 0]);
  });

  test('changes and incidents outside the period are left out', () => {
    const figures = deliveryFiguresOf({
      since,
      until,
      changes: [change('lab', -1), change('lab', 24 * 30 + 1)],
      incidents: [incident('lab', -2)],
    });
    assert.deepEqual(figures, []);
  });
});

describe('time to restore', () => {
  test('median and 90th percentile of declared → resolved, near misses and unresolved incidents left out', () => {
    const [s] = deliveryFiguresOf({
      since,
      until,
      changes: [],
      incidents: [
        incident('pacs', 10, { resolvedAt: at(11) }),
        incident('pacs', 20, { resolvedAt: at(22) }),
        incident('pacs', 30, { resolvedAt: at(33) }),
        incident('pacs', 40, { resolvedAt: at(44) }),
        incident('pacs', 50, { nearMiss: true, resolvedAt: at(150) }),
        incident('pacs', 60),
      ],
    });
    assert.equal(s!.incidents, 6);
    assert.equal(s!.restored, 4);
    assert.equal(s!.restoreMedianMs, 2.5 * 3600_000);
    assert.equal(s!.restoreP90Ms, 3.7 * 3600_000);
  });
});

describe('by owner, then service', () => {
  test('services by most incidents, then changes; owners with their totals, "No owner" last', () => {
    const figures = deliveryFiguresOf({
      since,
      until,
      changes: [
        change('ehr-api', 1),
        change('ehr-api', 2),
        change('ehr-db', 3),
        change('billing', 4, null),
        change('pharmacy', 5, 'group:default/pharmacy'),
      ],
      incidents: [incident('ehr-db', 4), incident('ehr-db', 50), incident('pharmacy', 6)],
    });
    assert.deepEqual(
      figures.map((f) => [f.service, f.owner, f.incidents, f.changes, f.failedChanges]),
      [
        ['ehr-db', 'group:default/platform', 2, 1, 1],
        ['pharmacy', 'group:default/pharmacy', 1, 1, 1],
        ['ehr-api', 'group:default/platform', 0, 2, 0],
        ['billing', null, 0, 1, 0],
      ],
    );
    const owners = deliveryByOwner(figures, new Map([['group:default/platform', 'Platform team']]));
    assert.deepEqual(
      owners.map((o) => [
        o.label,
        o.incidents,
        o.changes,
        o.failedChanges,
        o.changeFailureRate,
        o.services.map((s) => s.service),
      ]),
      [
        ['Platform team', 2, 3, 1, 1 / 3, ['ehr-db', 'ehr-api']],
        ['pharmacy', 1, 1, 1, 1, ['pharmacy']],
        ['No owner', 0, 1, 0, 0, ['billing']],
      ],
    );
    assert.equal(owners[0]!.services[1]!.changeFailureRate, 0);
    assert.equal(deliveryByOwner([{ ...figures[0]!, changes: 0, failedChanges: 0 }])[0]!.changeFailureRate, null);
    assert.equal(refName('group:default/platform'), 'platform');
  });

  test('at most `limit` services', () => {
    const changes = Array.from({ length: 30 }, (_, i) => change(`svc-${String(i).padStart(2, '0')}`, i));
    assert.equal(deliveryFiguresOf({ since, until, changes, incidents: [], limit: 20 }).length, 20);
  });
});
