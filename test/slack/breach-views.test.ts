import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { incidentSummary } from '../../src/slack/views/incident-summary.ts';
import { noticeText } from '../../src/slack/views/notices.ts';
import { incidentAnnouncement } from '../../src/slack/views/announcement.ts';
import { declareModal } from '../../src/slack/views/declare-modal.ts';
import { DECLARE_MODAL } from '../../src/slack/ids.ts';
import { anIncident } from '../support/fixtures.ts';

const HOUR = 3_600_000;
const awareAt = new Date('2026-11-24T14:05:00Z');
const at = (hours: number) => new Date(awareAt.getTime() + hours * HOUR);
const breach = (o: Parameters<typeof anIncident>[0] = {}) =>
  anIncident({ dataBreach: true, breachAwareAt: awareAt, roles: { COMMANDER: 'UBOB' }, ...o });
const summaryText = (i: ReturnType<typeof anIncident>, now: Date, tz = 'Europe/London') =>
  JSON.stringify(incidentSummary(i, tz, now).blocks);

describe('breach on the summary', () => {
  test('due: the deadline in the team zone and the time left', () => {
    const s = summaryText(breach(), at(31));
    assert.match(s, /\*Data breach\*: regulator notification due \*Fri 27 Nov 14:05 GMT\* \(in 41 h\)/);
    assert.match(s, /aware since Tue 24 Nov 14:05 GMT/);
    assert.match(summaryText(breach(), at(31), 'America/New_York'), /due \*Fri 27 Nov 09:05 EST\*/);
  });

  test('overdue, then notified (by whom, and whether late)', () => {
    assert.match(
      summaryText(breach(), at(75.5)),
      /regulator notification \*overdue by 3 h 30 min\* \(due Fri 27 Nov 14:05 GMT\)/,
    );
    const notified = summaryText(breach({ breachNotifiedAt: at(50), breachNotifiedBy: 'UBOB' }), at(80));
    assert.match(notified, /\*Data breach\*: regulator notified Thu 26 Nov 16:05 GMT by <@UBOB>/);
    assert.doesNotMatch(notified, /after the 72-hour deadline|overdue/);
    assert.match(
      summaryText(breach({ breachNotifiedAt: at(73), breachNotifiedBy: 'UBOB' }), at(80)),
      /by <@UBOB> \(after the 72-hour deadline\)/,
    );
  });

  test('nothing about a breach on other incidents, nor in any announcement', () => {
    assert.doesNotMatch(summaryText(anIncident(), at(1)), /breach/i);
    for (const isPrivate of [false, true]) {
      assert.doesNotMatch(
        JSON.stringify(incidentAnnouncement(breach({ isPrivate }), 'Europe/London')),
        /breach|regulator/i,
      );
    }
  });
});

describe('breach notices', () => {
  test('reminders mention the commander, the deadline and how long is left; the last says it passed', () => {
    const i = breach();
    const r24 = noticeText({
      kind: 'breach-reminder',
      incident: i,
      hours: 24,
      deadline: at(72),
      now: at(24),
      timeZone: 'Europe/London',
    });
    assert.match(
      r24,
      /24 hours since becoming aware of \*INC-42\*\. The regulator must be notified by \*Fri 27 Nov 14:05 GMT\* \(in 48 h\)\. <@UBOB>, once it is done record it with `\/incident breach notified \[reference\]`/,
    );
    const r72 = noticeText({
      kind: 'breach-reminder',
      incident: i,
      hours: 72,
      deadline: at(72),
      now: at(72),
      timeZone: 'Europe/London',
    });
    assert.match(
      r72,
      /the 72-hour deadline to notify the regulator of \*INC-42\* passed at \*Fri 27 Nov 14:05 GMT\*\. <@UBOB>, notify the regulator now/,
    );
    const noCommander = noticeText({
      kind: 'breach-reminder',
      incident: breach({ roles: {} }),
      hours: 48,
      deadline: at(72),
      now: at(48),
      timeZone: 'UTC',
    });
    assert.match(noCommander, /<@UALICE>, once it is done/, 'the declarer while no commander is set');
  });

  test('marking, clearing and notifying; a reference is quoted and escaped', () => {
    assert.match(
      noticeText({ kind: 'data-breach', incident: breach(), by: 'UCAROL', on: true, timeZone: 'Europe/London' }),
      /<@UCAROL> marked \*INC-42\* as a \*personal data breach\* \(aware since Tue 24 Nov 14:05 GMT\)\. The regulator must be notified within 72 hours of becoming aware, by \*Fri 27 Nov 14:05 GMT\*/,
    );
    assert.match(
      noticeText({ kind: 'data-breach', incident: breach(), by: 'UBOB', on: false, timeZone: 'UTC' }),
      /as \*not\* a personal data breach/,
    );
    const n = noticeText({
      kind: 'breach-notified',
      incident: breach({ breachNotifiedAt: at(80) }),
      by: 'UBOB',
      reference: 'ICO <case> 123',
      timeZone: 'UTC',
    });
    assert.match(
      n,
      /<@UBOB> recorded that the regulator was notified of the data breach on \*INC-42\*, 8 h after the 72-hour deadline\. The breach reminders stop\.\nReference:\n> ICO &lt;case&gt; 123/,
    );
  });
});

describe('declare form', () => {
  test('has a personal data breach checkbox and an optional awareness date and time', () => {
    const view = declareModal({ responseUrl: null, channelId: null });
    const flags = view.blocks.find((b) => b.block_id === DECLARE_MODAL.blocks.breach) as {
      element: { options: { value: string }[] };
    };
    assert.ok(flags.element.options.some((o) => o.value === DECLARE_MODAL.flagValues.breach));
    const aware = view.blocks.find((b) => b.block_id === DECLARE_MODAL.blocks.breachAware) as {
      optional: boolean;
      element: { type: string; action_id: string };
    };
    assert.equal(aware.optional, true);
    assert.deepEqual(aware.element, { type: 'datetimepicker', action_id: DECLARE_MODAL.actions.breachAware });
  });
});
