import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import { incidentAnnouncement } from '../../src/slack/views/announcement.ts';
import { declareResultText } from '../../src/slack/views/declare-result.ts';
import { incidentSummary } from '../../src/slack/views/incident-summary.ts';
import { anIncident } from '../support/fixtures.ts';

const incident: Incident = anIncident({
  title: 'Ward <!channel> & pharmacy <https://evil.example|login> broken',
  description: 'Nurses cannot see <@U123> orders',
  affectedService: 'ehr',
  severity: 'SEV1',
  clinicalImpact: true,
  roles: { SCRIBE: 'UBOB' },
  summaryTs: null,
  summaryPinned: false,
  declarerInvited: false,
  announcementTs: null,
  provisionedAt: null,
});

describe('Block Kit views', () => {
  test('user text cannot ping the channel or forge links in summaries and announcements', () => {
    for (const msg of [incidentSummary(incident), incidentAnnouncement(incident)]) {
      const mrkdwn = JSON.stringify([msg.text, ...msg.blocks.filter((b) => b.type !== 'header')]);
      assert.ok(!mrkdwn.includes('<!channel>'), 'no raw <!channel>');
      assert.ok(!mrkdwn.includes('<https://evil'), 'no raw link');
      assert.ok(msg.text.includes('&lt;!channel&gt;'));
    }
  });

  test('summary: header, severity, status, roles with the declarer acting as commander, date in the reader zone', () => {
    const s = incidentSummary(incident);
    assert.equal(s.blocks[0]!.type, 'header');
    const json = JSON.stringify(s.blocks);
    assert.ok(json.includes('SEV1 (Critical)'));
    assert.ok(json.includes('*Status*\\nDeclared'));
    assert.ok(json.includes('*Scribe:* <@UBOB>'));
    assert.ok(json.includes('*Commander:* _unassigned: <@UALICE> (declarer) acts until one is set_'));
    assert.ok(
      json.includes(
        `<!date^${Date.parse('2026-11-24T14:05:00Z') / 1000}^{date_short_pretty} {time}|Tue 24 Nov 14:05 UTC>`,
      ),
    );
    assert.ok(json.includes(':hospital: Clinical impact'));
    const header = (s.blocks[0] as { text: { text: string } }).text.text;
    assert.ok(header.length <= 150);
  });

  test('a very long title still fits the header limit', () => {
    const s = incidentSummary({ ...incident, title: 'x'.repeat(150) });
    assert.equal((s.blocks[0] as { text: { text: string } }).text.text.length, 150);
  });

  test('declare result texts', () => {
    assert.match(declareResultText({ duplicate: true, incident }), /already handled: INC-42 in <#C42>/);
    assert.match(
      declareResultText({
        duplicate: false,
        outcome: { state: 'failed', incident, step: 'announce', reason: 'Slack said `not_in_channel`' },
      }),
      /INC-42 is recorded in <#C42>, but announcing it in the broadcast channel failed \(Slack said `not_in_channel`\)\. Nothing is lost/,
    );
    assert.match(
      declareResultText({
        duplicate: false,
        outcome: { state: 'complete', incident: { ...incident, isPrivate: true }, warnings: [] },
      }),
      /It is private/,
    );
  });
});
