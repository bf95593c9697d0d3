// Drills (exercises): declared with `/incident declare drill <sev> <title>` or the form's box, never
// a near miss; marked wherever people see them (channel name, summary, announcement, notices, the
// review, PagerDuty's text); left out of the pure figures (insights, guardrail report, delivery
// metrics) and of the SEV1 change freeze.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { incidentChannelName } from '../../src/domain/channel-name.ts';
import { parseIncidentCommand } from '../../src/domain/command.ts';
import { declaredIncident, parseDeclaration } from '../../src/domain/declaration.ts';
import { deliveryFiguresOf, type DeliveryIncident } from '../../src/domain/delivery-metrics.ts';
import { countsInMetrics, DRILL_NEAR_MISS, drillTagged } from '../../src/domain/drill.ts';
import { AppError } from '../../src/domain/errors.ts';
import { guardrailFiguresOf, type GuardrailIncident } from '../../src/domain/guardrail-report.ts';
import { insightFiguresOf, insightPeriod, type InsightIncident } from '../../src/domain/insights.ts';
import { freezeApplies } from '../../src/domain/lifecycle.ts';
import { buildReview } from '../../src/domain/review.ts';
import { reviewToMarkdown } from '../../src/domain/review-markdown.ts';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';
import { incidentAnnouncement } from '../../src/slack/views/announcement.ts';
import { declareModal } from '../../src/slack/views/declare-modal.ts';
import { declareResultText } from '../../src/slack/views/declare-result.ts';
import { incidentSummary } from '../../src/slack/views/incident-summary.ts';
import { noticeMessage } from '../../src/slack/views/notices.ts';
import { reviewMessage } from '../../src/slack/views/review-message.ts';
import { serviceMessage } from '../../src/slack/views/service.ts';
import { aDeclaration, anIncident } from '../support/fixtures.ts';

const refusal = (text: string) => {
  try {
    parseIncidentCommand(text);
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    return err.userMessage;
  }
  assert.fail(`${text} was accepted`);
};

describe('declaring a drill', () => {
  test('`declare drill <sev> <title>` with the usual options; without `drill` it is no drill', () => {
    const cmd = parseIncidentCommand('declare drill sev2 Tabletop: EHR API down --clinical --service=ehr-api');
    assert.equal(cmd.kind, 'declare');
    if (cmd.kind !== 'declare') return;
    assert.equal(cmd.declaration.drill, true);
    assert.equal(cmd.declaration.severity, 'SEV2');
    assert.equal(cmd.declaration.title, 'Tabletop: EHR API down');
    assert.equal(cmd.declaration.clinicalImpact, true);
    assert.equal(cmd.declaration.affectedService, 'ehr-api');
    const upper = parseIncidentCommand('declare DRILL SEV1 Failover --private --breach');
    assert.ok(upper.kind === 'declare' && upper.declaration.drill && upper.declaration.isPrivate);
    assert.ok(upper.kind === 'declare' && upper.declaration.dataBreach, 'a drill may exercise the breach flow');
    // `drill` in the title is only a word of it.
    const plain = parseIncidentCommand('declare sev3 drill press offline');
    assert.ok(plain.kind === 'declare' && !plain.declaration.drill);
    assert.equal(plain.kind === 'declare' && plain.declaration.title, 'drill press offline');
  });

  test('clear refusals: no severity, a near miss, drill twice, a bad severity, --drill', () => {
    assert.match(
      refusal('declare drill'),
      /Say how severe the exercise is.*`\/incident declare drill <sev1-4> <title>`/,
    );
    assert.equal(refusal('declare drill near-miss Nothing happened'), DRILL_NEAR_MISS);
    assert.match(refusal('declare drill drill sev2 x'), /Say `drill` once/);
    assert.match(
      refusal('declare drill sev9 x'),
      /`sev9` is not a severity: after `drill`, use sev1, sev2, sev3 or sev4/,
    );
    assert.match(refusal('declare sev2 Failover --drill'), /with `drill` before the severity, not `--drill`/);
    assert.match(refusal('declare exercise x'), /or `drill` first for an exercise/);
  });

  test('a declaration that is both a drill and a near miss is refused (the form, PagerDuty, a held one)', () => {
    assert.throws(
      () => parseDeclaration(aDeclaration({ drill: true, nearMiss: true })),
      (err: unknown) => err instanceof AppError && err.userMessage === DRILL_NEAR_MISS,
    );
    assert.equal(parseDeclaration(aDeclaration({ drill: true })).drill, true);
    assert.equal(parseDeclaration({ title: 'x', severity: 'SEV2' }).drill, false, 'not a drill unless said');
  });

  test('the record and its first timeline entry say it is an exercise', () => {
    const d = declaredIncident({
      declaration: aDeclaration({ drill: true, title: 'Failover', severity: 'SEV1' }),
      declaredBy: 'UALICE',
      declaredAt: new Date('2026-11-24T10:00:00Z'),
      via: 'command',
      originChannelId: null,
      responseUrl: null,
    });
    assert.equal(d.incident.drill, true);
    assert.equal(d.incident.status, 'DECLARED', 'the full flow, unlike a near miss');
    assert.equal(d.timeline[0]!.text, 'Declared an exercise (drill) as SEV1: Failover');
    assert.equal(d.timeline[0]!.data?.drill, true);
  });

  test('the form has an "This is an exercise (drill)" box, kept ticked on a redraw', () => {
    const view = declareModal({ responseUrl: null, channelId: null });
    const block = view.blocks.find((b) => b.block_id === DECLARE_MODAL.blocks.drill) as {
      element: { action_id: string; options: { value: string; text: { text: string } }[] };
      optional: boolean;
    };
    assert.ok(block, 'the drill block');
    assert.equal(block.optional, true);
    assert.equal(block.element.action_id, DECLARE_MODAL.actions.drill);
    assert.deepEqual(
      block.element.options.map((o) => [o.value, o.text.text]),
      [['drill', 'This is an exercise (drill)']],
    );
    const ticked = declareModal({ responseUrl: null, channelId: null }, { initial: { flags: ['drill'] } });
    const again = ticked.blocks.find((b) => b.block_id === DECLARE_MODAL.blocks.drill) as {
      element: { initial_options?: { value: string }[] };
    };
    assert.deepEqual(
      again.element.initial_options?.map((o) => o.value),
      ['drill'],
    );
  });
});

describe('a drill is marked wherever people see it', () => {
  const drill = anIncident({
    number: 42,
    title: 'Tabletop: EHR API down',
    severity: 'SEV1',
    drill: true,
    channelId: 'CDRILL',
    clinicalImpact: true,
  });
  const real = anIncident({ number: 43, title: 'EHR API down', severity: 'SEV1', channelId: 'CREAL' });

  test('channel name: drill-inc-<n>-<slug>, within Slack’s 80 characters, attempts numbered', () => {
    assert.equal(incidentChannelName(42, 'Tabletop: EHR API down', 1, true), 'drill-inc-42-tabletop-ehr-api-down');
    assert.equal(incidentChannelName(42, 'Tabletop', 3, true), 'drill-inc-42-tabletop-3');
    assert.equal(incidentChannelName(42, 'Tabletop'), 'inc-42-tabletop');
    const long = incidentChannelName(42, 'x'.repeat(200), 20, true);
    assert.ok(long.length <= 80 && long.startsWith('drill-inc-42-') && long.endsWith('-20'), long);
    assert.match(long, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test('the pinned summary: an EXERCISE header and banner; a real incident has neither', () => {
    const summary = incidentSummary(drill);
    const json = JSON.stringify(summary.blocks);
    assert.match(summary.text, /^EXERCISE: INC-42 SEV1/);
    assert.match(json, /"text":"EXERCISE: INC-42: Tabletop: EHR API down"/);
    assert.match(json, /EXERCISE \(drill\): no real impact\..*left out of metrics, reports and on-call load/);
    const plain = JSON.stringify(incidentSummary(real));
    assert.doesNotMatch(plain, /EXERCISE|drill/i);
  });

  test('the announcement: announced, under the exercise banner', () => {
    const a = incidentAnnouncement(drill);
    assert.match(a.text, /^EXERCISE \(drill, no real impact\): INC-42 SEV1 declared: Tabletop: EHR API down$/);
    const text = JSON.stringify(a.blocks);
    assert.match(
      text,
      /^\[\{"type":"section","text":\{"type":"mrkdwn","text":":test_tube: \*EXERCISE \(drill\): no real impact\.\*\\n/,
    );
    assert.match(text, /<#CDRILL>/);
    assert.doesNotMatch(JSON.stringify(incidentAnnouncement(real)), /EXERCISE/);
  });

  test('every notice: the clinical-safety alert, the owner notice, a breach reminder, a status update', () => {
    const notices = [
      { kind: 'clinical-safety-alert', incident: drill, groupId: 'SCLIN' },
      { kind: 'owner-notice', incident: drill, service: 'ehr-api', owner: null },
      { kind: 'status-update', incident: drill, by: 'UALICE', message: 'Failing over' },
      {
        kind: 'breach-reminder',
        incident: { ...drill, dataBreach: true, breachAwareAt: new Date('2026-11-24T08:00:00Z') },
        hours: 24,
        deadline: new Date('2026-11-27T08:00:00Z'),
        now: new Date('2026-11-25T08:00:00Z'),
        timeZone: 'Europe/London',
      },
    ] as const;
    for (const n of notices) {
      const msg = noticeMessage(n as Parameters<typeof noticeMessage>[0]);
      assert.match(msg.text, /^:test_tube: \*EXERCISE \(drill\): no real impact\.\*\n/, n.kind);
      assert.match(JSON.stringify(msg.blocks), /EXERCISE \(drill\)/, n.kind);
      const plain = noticeMessage({ ...n, incident: { ...n.incident, drill: false } } as Parameters<
        typeof noticeMessage
      >[0]);
      assert.doesNotMatch(plain.text, /EXERCISE/, n.kind);
    }
  });

  test('the service view lists a drill, marked', () => {
    const line = {
      ref: 'INC-42',
      title: 'Tabletop',
      isPrivate: false,
      severity: 'SEV1' as const,
      status: 'INVESTIGATING' as const,
      nearMiss: false,
      declaredAt: new Date('2026-11-24T10:00:00Z'),
      channelId: 'CDRILL',
    };
    const text = (drill: boolean) =>
      JSON.stringify(
        serviceMessage({
          service: {
            ref: 'component:default/ehr-api',
            kind: 'Component',
            name: 'ehr-api',
            title: null,
            description: null,
            owner: null,
            ownerName: null,
            system: null,
            pagerDutyServiceId: null,
            slackChannel: null,
            clinicalCriticality: null,
            githubProjectSlug: null,
            jiraProjectKey: null,
            links: [],
          },
          onCall: { status: 'not-configured' },
          openIncidents: [{ ...line, drill }],
          recentCount: 0,
          recent: [],
          actionItems: [],
          actionItemsTotal: 0,
          actionItemsCapped: false,
          changes: [],
          catalog: { source: 'file', loadedAt: new Date(), problemCount: 0, problems: [] },
          now: new Date('2026-11-24T12:30:00Z'),
        }).blocks,
      );
    assert.match(text(true), /\*INC-42\* Tabletop · SEV1 :test_tube: exercise \(drill\) · Investigating/);
    assert.match(text(false), /\*INC-42\* Tabletop · SEV1 · Investigating/);
  });

  test('PagerDuty text leads with [DRILL]; a real incident’s does not', () => {
    assert.equal(drillTagged(drill, 'INC-42 SEV1: Tabletop'), '[DRILL] INC-42 SEV1: Tabletop');
    assert.equal(drillTagged(real, 'INC-43 SEV1: EHR'), 'INC-43 SEV1: EHR');
  });

  test('the review is headed "Exercise", in Slack and in Markdown', () => {
    const review = buildReview(drill, [], null, { timeZone: 'UTC' });
    assert.equal(review.header.drill, true);
    const msg = reviewMessage(review);
    assert.match(msg.text, /^Exercise review: INC-42 /);
    assert.match(JSON.stringify(msg.blocks[0]), /Exercise: INC-42: Tabletop: EHR API down — Exercise review/);
    assert.match(JSON.stringify(msg.blocks[1]), /Exercise \(drill\)\*: no real impact/);
    const md = reviewToMarkdown(review);
    assert.match(md, /^# Exercise: INC-42: Tabletop: EHR API down — Exercise review\n/);
    assert.match(md, /\| Exercise \(drill\) \| Yes \|/);
    const plain = buildReview(real, [], null, { timeZone: 'UTC' });
    assert.match(reviewMessage(plain).text, /^Post-incident review: INC-43/);
    assert.match(reviewToMarkdown(plain), /\| Exercise \(drill\) \| No \|/);
  });

  test('the declarer is told it is an exercise', () => {
    const text = declareResultText({
      duplicate: false,
      outcome: { state: 'complete', incident: drill, warnings: [] },
    } as unknown as Parameters<typeof declareResultText>[0]);
    assert.match(text, /Declared exercise INC-42 \(SEV1, a drill\) in <#CDRILL>: marked as an exercise everywhere/);
  });
});

describe('a drill counts in no figure', () => {
  const now = new Date('2026-11-24T14:00:00Z');
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3600_000);

  test('countsInMetrics is the one rule', () => {
    assert.equal(countsInMetrics({ drill: true }), false);
    assert.equal(countsInMetrics({ drill: false }), true);
  });

  test('insights: the rows with drills give the rows’ figures without them', () => {
    const period = insightPeriod('2026-11-01', '2026-11-24', 'Europe/London');
    const one = (n: number, drill: boolean): InsightIncident => ({
      number: n,
      severity: 'SEV2',
      nearMiss: false,
      drill,
      isPrivate: false,
      affectedService: 'ehr-api',
      createdAt: at(48 + n),
      declaredAt: at(48 + n),
      changes: [
        { at: at(47 + n), to: 'INVESTIGATING' },
        { at: at(46 + n), to: 'RESOLVED' },
      ],
      resolvedAt: at(46 + n),
      reviewCompletedAt: at(40),
    });
    const real = [one(1, false), one(2, false)];
    const without = insightFiguresOf({ period, now, incidents: real, actions: [] });
    const withDrills = insightFiguresOf({
      period,
      now,
      incidents: [...real, one(3, true), one(4, true)],
      actions: [],
    });
    assert.deepEqual(withDrills, without);
    assert.equal(without.overall.incidents, 2);
  });

  test('the guardrail report and delivery metrics: drills left out', () => {
    const g = (n: number, drill: boolean): GuardrailIncident => ({
      number: n,
      affectedService: 'ehr-api',
      nearMiss: false,
      drill,
      createdAt: at(n),
      factors: ['capacity'],
      reviewed: true,
    });
    const input = { now, periodDays: 30, timeZone: 'UTC', actions: [] };
    const without = guardrailFiguresOf({ ...input, incidents: [g(1, false)] });
    assert.deepEqual(guardrailFiguresOf({ ...input, incidents: [g(1, false), g(2, true)] }), without);
    assert.equal(without.incidents, 1);

    const d = (hoursAgo: number, drill: boolean): DeliveryIncident => ({
      affectedService: 'ehr-api',
      owner: null,
      isPrivate: false,
      nearMiss: false,
      drill,
      createdAt: at(hoursAgo),
      resolvedAt: at(hoursAgo - 1),
    });
    const changes = [{ service: 'ehr-api', owner: null, occurredAt: at(10) }];
    const since = at(24 * 30);
    const plain = deliveryFiguresOf({ since, until: now, incidents: [d(20, false)], changes });
    const drills = deliveryFiguresOf({ since, until: now, incidents: [d(20, false), d(9, true)], changes });
    assert.deepEqual(drills, plain);
    assert.equal(plain[0]!.failedChanges, 0, 'the change was followed by a drill only');
  });

  test('a SEV1 drill starts no change freeze', () => {
    assert.equal(freezeApplies({ severity: 'SEV1', status: 'INVESTIGATING', nearMiss: false, drill: true }), false);
    assert.equal(freezeApplies({ severity: 'SEV1', status: 'INVESTIGATING', nearMiss: false, drill: false }), true);
  });
});
