import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ActionItem } from '../../src/domain/action-items.ts';
import type { GuardrailReport } from '../../src/domain/guardrail-report.ts';
import {
  buildReview,
  CONTRIBUTING_FACTORS,
  reviewInputSchema,
  type PostIncidentReview,
  type ReviewInputDraft,
} from '../../src/domain/review.ts';
import type { TimelineEntry } from '../../src/domain/timeline.ts';
import { ACTION_ITEM_ACTIONS, REVIEW_ACTIONS, REVIEW_MODAL, reviewInputId } from '../../src/slack/ids.ts';
import { actionItemControls, actionListMessage, appHomeView } from '../../src/slack/views/action-items.ts';
import { guardrailReportMessage } from '../../src/slack/views/guardrail-report.ts';
import { clipMrkdwn } from '../../src/slack/views/format.ts';
import { reviewMessage } from '../../src/slack/views/review-message.ts';
import { reviewFromModal, reviewModal } from '../../src/slack/views/review-modal.ts';
import { anActionItem, anIncident } from '../support/fixtures.ts';

type Json = Record<string, any>;
const TZ = 'Europe/London';

// ---------------------------------------------------------------------------------------------
// Block Kit's contract (https://api.slack.com/reference/block-kit): field names, types, limits
// ---------------------------------------------------------------------------------------------

const BLOCK_TYPES = new Set(['header', 'section', 'context', 'actions', 'divider', 'input']);

function checkText(t: Json, where: string, max: number, kinds = ['plain_text', 'mrkdwn']) {
  assert.ok(t && typeof t === 'object', `${where}: a text object`);
  assert.ok(kinds.includes(t.type), `${where}: text type ${t.type}`);
  assert.equal(typeof t.text, 'string', `${where}: text is a string`);
  assert.ok(t.text.length > 0, `${where}: text is not empty`);
  assert.ok(t.text.length <= max, `${where}: ${t.text.length} > ${max} characters`);
  const allowed = t.type === 'plain_text' ? ['type', 'text', 'emoji'] : ['type', 'text', 'verbatim'];
  for (const k of Object.keys(t)) assert.ok(allowed.includes(k), `${where}: unknown text field ${k}`);
}

function checkOption(o: Json, where: string, kinds = ['plain_text']) {
  checkText(o.text, `${where}.text`, 75, kinds);
  assert.equal(typeof o.value, 'string');
  assert.ok(o.value.length >= 1 && o.value.length <= 150, `${where}: option value length`);
}

function checkElement(e: Json, where: string, inInput: boolean) {
  assert.equal(typeof e.action_id, 'string', `${where}: action_id`);
  assert.ok(e.action_id.length <= 255);
  switch (e.type) {
    case 'button':
      checkText(e.text, `${where}.text`, 75, ['plain_text']);
      if (e.value !== undefined)
        assert.ok(typeof e.value === 'string' && e.value.length <= 2000, `${where}: button value`);
      if (e.style !== undefined) assert.ok(['primary', 'danger'].includes(e.style));
      assert.ok(!inInput, 'buttons do not go in input blocks');
      break;
    case 'static_select':
      if (e.placeholder) checkText(e.placeholder, `${where}.placeholder`, 150, ['plain_text']);
      assert.ok(
        Array.isArray(e.options) && e.options.length >= 1 && e.options.length <= 100,
        `${where}: 1–100 options`,
      );
      for (const [i, o] of (e.options as Json[]).entries()) checkOption(o, `${where}.options[${i}]`);
      if (e.initial_option)
        assert.ok(
          e.options.some((o: Json) => JSON.stringify(o) === JSON.stringify(e.initial_option)),
          `${where}: initial_option is an option`,
        );
      break;
    case 'users_select':
      if (e.placeholder) checkText(e.placeholder, `${where}.placeholder`, 150, ['plain_text']);
      if (e.initial_user !== undefined) assert.match(e.initial_user, /^[UW][A-Z0-9]+$/);
      break;
    case 'datepicker':
      if (e.placeholder) checkText(e.placeholder, `${where}.placeholder`, 150, ['plain_text']);
      if (e.initial_date !== undefined) assert.match(e.initial_date, /^\d{4}-\d{2}-\d{2}$/);
      break;
    case 'plain_text_input':
      assert.ok(inInput, 'plain_text_input goes in an input block');
      assert.equal(typeof e.multiline, 'boolean');
      assert.ok(
        Number.isInteger(e.max_length) && e.max_length >= 1 && e.max_length <= 3000,
        `${where}: max_length ≤ 3000`,
      );
      if (e.initial_value !== undefined) {
        assert.equal(typeof e.initial_value, 'string');
        assert.ok(
          e.initial_value.length > 0 && e.initial_value.length <= e.max_length,
          `${where}: initial_value within max_length`,
        );
      }
      if (e.placeholder) checkText(e.placeholder, `${where}.placeholder`, 150, ['plain_text']);
      break;
    case 'checkboxes':
      assert.ok(
        Array.isArray(e.options) && e.options.length >= 1 && e.options.length <= 10,
        `${where}: 1–10 checkboxes`,
      );
      for (const [i, o] of (e.options as Json[]).entries())
        checkOption(o, `${where}.options[${i}]`, ['plain_text', 'mrkdwn']);
      if ('initial_options' in e) {
        assert.ok(
          Array.isArray(e.initial_options) && e.initial_options.length > 0,
          `${where}: initial_options is never []`,
        );
        for (const io of e.initial_options)
          assert.ok(
            e.options.some((o: Json) => JSON.stringify(o) === JSON.stringify(io)),
            `${where}: initial option is an option`,
          );
      }
      break;
    default:
      assert.fail(`${where}: unexpected element ${e.type}`);
  }
}

/** Asserts every block follows Block Kit (types, field names, Slack's hard limits); returns them for chaining. */
function checkBlocks(blocks: Json[], maxBlocks: number): Json[] {
  assert.ok(Array.isArray(blocks));
  assert.ok(blocks.length >= 1 && blocks.length <= maxBlocks, `${blocks.length} blocks (at most ${maxBlocks})`);
  const ids = new Set<string>();
  blocks.forEach((b, i) => {
    const where = `blocks[${i}] (${b.type})`;
    assert.ok(BLOCK_TYPES.has(b.type), `${where}: known block type`);
    if (b.block_id !== undefined) {
      assert.ok(typeof b.block_id === 'string' && b.block_id.length <= 255, `${where}: block_id`);
      assert.ok(!ids.has(b.block_id), `${where}: block_id ${b.block_id} is unique`);
      ids.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        checkText(b.text, `${where}.text`, 150, ['plain_text']);
        break;
      case 'section':
        assert.ok(b.text || b.fields, `${where}: text or fields`);
        if (b.text) checkText(b.text, `${where}.text`, 3000);
        if (b.fields) {
          assert.ok(b.fields.length <= 10, `${where}: ≤ 10 fields`);
          for (const [j, f] of (b.fields as Json[]).entries()) checkText(f, `${where}.fields[${j}]`, 2000);
        }
        break;
      case 'context':
        assert.ok(b.elements.length >= 1 && b.elements.length <= 10, `${where}: 1–10 elements`);
        for (const [j, e] of (b.elements as Json[]).entries()) checkText(e, `${where}.elements[${j}]`, 3000);
        break;
      case 'actions': {
        assert.ok(b.elements.length >= 1 && b.elements.length <= 25, `${where}: 1–25 elements`);
        const actionIds = b.elements.map((e: Json) => e.action_id);
        assert.equal(new Set(actionIds).size, actionIds.length, `${where}: action_ids unique in the block`);
        for (const [j, e] of (b.elements as Json[]).entries()) checkElement(e, `${where}.elements[${j}]`, false);
        break;
      }
      case 'input':
        checkText(b.label, `${where}.label`, 2000, ['plain_text']);
        if (b.hint) checkText(b.hint, `${where}.hint`, 2000, ['plain_text']);
        if (b.optional !== undefined) assert.equal(typeof b.optional, 'boolean');
        checkElement(b.element, `${where}.element`, true);
        break;
      case 'divider':
        assert.deepEqual(Object.keys(b), ['type']);
        break;
    }
  });
  return blocks;
}

/** Every mrkdwn text in the blocks. */
function mrkdwnTexts(blocks: Json[]): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.type === 'section') {
      if (b.text?.type === 'mrkdwn') out.push(b.text.text);
      for (const f of b.fields ?? []) out.push(f.text);
    }
    if (b.type === 'context') for (const e of b.elements) if (e.type === 'mrkdwn') out.push(e.text);
  }
  return out;
}
const allText = (blocks: Json[]) => mrkdwnTexts(blocks).join('\n');

// ---------------------------------------------------------------------------------------------
// A review
// ---------------------------------------------------------------------------------------------

let seq = 0;
function entry(at: Date, kind: string, text: string, extra: Partial<TimelineEntry> = {}): TimelineEntry {
  seq += 1;
  return {
    id: `e${String(seq).padStart(5, '0')}`,
    incidentId: '2f1c6a52-8d0e-4a57-9f0f-0a1b2c3d4e5f',
    occurredAt: at,
    kind,
    actorId: 'UALICE',
    text,
    data: {},
    sourceTs: null,
    permalink: null,
    editedAt: null,
    deletedAt: null,
    ...extra,
  };
}

const DECLARED = Date.parse('2026-11-24T14:05:00Z');
const t = (seconds: number) => new Date(DECLARED + seconds * 1000);

/** A record with `notes` notes after a realistic start (one deleted pin among the first ten entries). */
function longRecord(notes: number, noteText: (i: number) => string = (i) => `Note ${i}: checked the auth pods`) {
  const incident = anIncident({
    title: 'EHR <!channel> & login failing',
    severity: 'SEV1',
    status: 'CLOSED',
    clinicalImpact: true,
    roles: { COMMANDER: 'UBOB', SCRIBE: 'UCAROL' },
    affectedService: 'ehr <core> & auth',
  });
  const entries: TimelineEntry[] = [
    entry(t(0), 'declared', 'Declared as SEV2: EHR login failing', { data: { severity: 'SEV2' } }),
    entry(t(5), 'channel_created', 'Channel created', { actorId: null }),
    entry(t(60), 'status_changed', 'Investigating', { data: { from: 'DECLARED', to: 'INVESTIGATING' } }),
    entry(t(120), 'severity_changed', 'Severity SEV2 → SEV1', {
      actorId: 'UBOB',
      data: { from: 'SEV2', to: 'SEV1', reason: 'wards <b> & theatres' },
    }),
    entry(t(180), 'pinned_message', 'Patient list for ward 7 <!here>', {
      actorId: 'UDAVE',
      sourceTs: '1764080700.000100',
      permalink: 'https://example.slack.com/archives/C42/p1764080700000100',
      deletedAt: t(200),
    }),
  ];
  for (let i = 0; i < notes; i++) entries.push(entry(t(300 + i), 'note', noteText(i)));
  const end = 300 + notes;
  entries.push(
    entry(t(end + 60), 'status_changed', 'Monitoring', { data: { from: 'INVESTIGATING', to: 'MONITORING' } }),
    entry(t(end + 120), 'status_changed', 'Resolved', { data: { from: 'MONITORING', to: 'RESOLVED' } }),
    entry(t(end + 180), 'status_changed', 'Closed', { data: { from: 'RESOLVED', to: 'CLOSED' } }),
  );
  return { incident, entries };
}

const fullInput: ReviewInputDraft = {
  impact: { usersAffected: '~300 clinicians', clinicalImpact: 'Two clinics <used> paper & pens', dataImpact: 'None' },
  detection: { how: 'staff-report', note: 'Ward 7 called the service desk' },
  contributingFactors: [
    { factor: 'change-deploy', detail: 'Config change to auth timeouts' },
    { factor: 'observability-gap', detail: 'No alert on login failure rate' },
  ],
  otherFactors: 'Change made late on a Friday',
  wentWell: 'Quick rollback <@U999> & calm comms',
  wasHard: 'Finding who owned the auth config',
  actionItems: [
    {
      text: 'Alert on login failure rate > 5%',
      ownerId: 'UBOB',
      due: '2026-12-01',
      category: 'observability',
      priority: 'high',
    },
    { text: 'Add a review gate for auth config', category: 'guardrail' },
  ],
};

function review(input: ReviewInputDraft | null, notes = 10, noteText?: (i: number) => string): PostIncidentReview {
  const { incident, entries } = longRecord(notes, noteText);
  return buildReview(incident, entries, input === null ? null : reviewInputSchema.parse(input), { timeZone: TZ });
}

const buttonOf = (blocks: Json[]) => {
  const actions = blocks.find((b) => b.type === 'actions');
  assert.ok(actions, 'an actions block');
  return actions;
};

describe('reviewMessage', () => {
  test('a 5,000-entry timeline: ≤ 50 blocks, first and last 10 entries, the rest counted', () => {
    const r = review(fullInput, 4992);
    assert.equal(r.timeline.length, 5000);
    const msg = reviewMessage(r);
    const blocks = checkBlocks(msg.blocks, 50);
    const text = allText(blocks);
    assert.ok(text.includes('_… 4980 more entries in the attached Markdown file …_'));
    assert.ok(text.includes('*Timeline* (5000 entries, times in Europe/London)'));
    // The first 10 entries: five from the start, then notes 0–4; the last 10: notes 4985–4991 and three status changes.
    assert.ok(text.includes('Note 4: checked'));
    assert.ok(!text.includes('Note 5: checked'));
    assert.ok(!text.includes('Note 4984: checked'));
    assert.ok(text.includes('Note 4985: checked'));
    assert.ok(text.includes('Note 4991: checked'));
    assert.equal(msg.text, 'Post-incident review: INC-42 EHR &lt;!channel&gt; &amp; login failing');
  });

  test('a personal data breach is flagged with whether the regulator was notified', () => {
    const r = review(fullInput, 3);
    const flagged = (dataBreach: PostIncidentReview['header']['dataBreach']) =>
      allText(checkBlocks(reviewMessage({ ...r, header: { ...r.header, dataBreach } }).blocks, 50));
    assert.ok(!flagged(null).includes('Personal data breach'));
    const facts = {
      awareAt: null,
      awareText: null,
      deadline: null,
      deadlineText: null,
      notifiedAt: null,
      notifiedText: null,
      notifiedBy: null,
      late: null,
    };
    assert.ok(flagged(facts).includes(':warning: Personal data breach, regulator not yet notified'));
    assert.ok(
      flagged({ ...facts, notifiedAt: 'x', notifiedText: 'Fri 27 Nov 15:00 GMT', late: true }).includes(
        'regulator notified Fri 27 Nov 15:00 GMT (late)',
      ),
    );
  });

  test('the breach section: the decision with its reason, the assessment, each obligation with its due time and when it was notified', () => {
    const r = review(fullInput, 3);
    const breach: NonNullable<PostIncidentReview['breach']> = {
      regimes: ['UK GDPR', 'HIPAA'],
      assessment: {
        decision: 'reportable',
        reason: 'Health data of 600 patients <sent> & opened',
        categories: ['Health data (special category)', 'Contact details'],
        people: '600 (estimated); most in one state: 600',
        likelihood: 'likely',
        severity: 'significant',
        highRisk: true,
        contained: true,
        containment: 'Mailbox rule removed',
        assessedBy: 'UDPO',
        assessedAt: '2026-11-24T15:00:00.000Z',
        assessedText: 'Tue 24 Nov 15:00 GMT',
      },
      obligations: [
        {
          regime: 'UK GDPR',
          recipient: 'the ICO',
          basis: 'Art. 33',
          due: 'Fri 27 Nov 14:05 GMT',
          status: 'required',
          notifiedAt: '2026-11-25T10:00:00.000Z',
          notifiedText: 'Wed 25 Nov 10:00 GMT',
          notifiedBy: 'UDPO',
          reference: 'IC-0042',
          late: false,
        },
        {
          regime: 'HIPAA',
          recipient: 'HHS',
          basis: '45 CFR 164.408',
          due: 'end of 2027-01-23 (Europe/London)',
          status: 'required',
          notifiedAt: null,
          notifiedText: null,
          notifiedBy: null,
          reference: null,
          late: null,
        },
      ],
    };
    const text = allText(checkBlocks(reviewMessage({ ...r, breach }).blocks, 50));
    assert.match(text, /\*Personal data breach: assessment and notifications\*/);
    assert.match(text, /\*Decision:\* reportable\. Reason: Health data of 600 patients &lt;sent&gt; &amp; opened/);
    assert.match(text, /assessed by <@UDPO> at Tue 24 Nov 15:00 GMT/);
    assert.match(text, /600 \(estimated\)/);
    assert.match(text, /likelihood likely, severity significant \(high risk\)/);
    assert.match(
      text,
      /UK GDPR: the ICO \(Art\. 33\), due Fri 27 Nov 14:05 GMT: notified Wed 25 Nov 10:00 GMT by <@UDPO> \(IC-0042\)/,
    );
    assert.match(
      text,
      /HIPAA: HHS \(45 CFR 164\.408\), due end of 2027-01-23 \(Europe\/London\): \*not yet notified\*/,
    );
    assert.ok(!allText(reviewMessage(r).blocks).includes('Personal data breach: assessment'), 'no breach, no section');
    const notReportable = allText(
      reviewMessage({
        ...r,
        breach: { ...breach, assessment: { ...breach.assessment!, decision: 'not reportable' }, obligations: [] },
      }).blocks,
    );
    assert.match(notReportable, /No notification required: assessed not reportable/);
    const flag = (b: PostIncidentReview['breach']) =>
      allText(
        reviewMessage({
          ...r,
          header: {
            ...r.header,
            dataBreach: {
              awareAt: null,
              awareText: null,
              deadline: null,
              deadlineText: null,
              notifiedAt: null,
              notifiedText: null,
              notifiedBy: null,
              late: null,
            },
          },
          breach: b,
        }).blocks,
      );
    assert.match(
      flag({ ...breach, assessment: { ...breach.assessment!, decision: 'not reportable' }, obligations: [] }),
      /Personal data breach, assessed not reportable/,
    );
    assert.match(flag(breach), /Personal data breach, regulator not yet notified/);
    const unassessed = allText(reviewMessage({ ...r, breach: { ...breach, assessment: null } }).blocks);
    assert.match(unassessed, /\*Assessment:\* not recorded/);
    // Long texts stay within Slack's limits.
    const long = {
      ...breach,
      assessment: { ...breach.assessment!, reason: '&<>'.repeat(2000), containment: 'x'.repeat(5000) },
    };
    checkBlocks(reviewMessage({ ...r, breach: long }).blocks, 50);
    // Beside a 5,000-entry timeline and a long description: still at most 50 blocks.
    const big = review(fullInput, 4992);
    checkBlocks(
      reviewMessage({ ...big, header: { ...big.header, description: 'd'.repeat(3000) }, breach: long }).blocks,
      50,
    );
  });

  test('worst case (long, entity-heavy texts everywhere, 100 action items): still within every limit', () => {
    const long = '&<>'.repeat(1000);
    const items = Array.from({ length: 100 }, (_, i) => ({
      text: `${i} ${'&'.repeat(480)}`,
      ownerId: 'UBOB',
      due: '2026-12-01',
      category: 'guardrail' as const,
      priority: 'low' as const,
    }));
    const input: ReviewInputDraft = {
      impact: { usersAffected: long, clinicalImpact: long, dataImpact: long },
      detection: { how: 'other', note: long },
      contributingFactors: CONTRIBUTING_FACTORS.map((factor) => ({ factor, detail: long })),
      otherFactors: long,
      wentWell: long,
      wasHard: long,
      actionItems: items,
    };
    const r = review(input, 200, (i) => `${i} ${'<&>'.repeat(900)}`);
    const longTitle = { ...r, header: { ...r.header, title: 'T&'.repeat(500), description: long } };
    const blocks = checkBlocks(reviewMessage(longTitle).blocks, 50);
    for (const s of mrkdwnTexts(blocks)) {
      assert.ok(!/&(?!amp;|lt;|gt;)/.test(s.replace(/<!date[^>]*>/g, '')), 'no cut entity');
    }
    assert.ok(allText(blocks).includes('_… and 85 more in the attached Markdown file_'));
  });

  test('the edit button: REVIEW_ACTIONS ids, "Fill in" while sections are missing, "Edit" when complete', () => {
    const incomplete = buttonOf(reviewMessage(review(null)).blocks);
    assert.equal(incomplete.block_id, REVIEW_ACTIONS.blockId);
    assert.equal(incomplete.elements.length, 1);
    assert.equal(incomplete.elements[0].type, 'button');
    assert.equal(incomplete.elements[0].action_id, REVIEW_ACTIONS.edit);
    assert.equal(incomplete.elements[0].text.text, 'Fill in the review');
    assert.equal(incomplete.elements[0].value, 'INC-42');

    const complete = buttonOf(reviewMessage(review(fullInput)).blocks);
    assert.equal(complete.elements[0].text.text, 'Edit the review');
    assert.equal(complete.elements[0].action_id, REVIEW_ACTIONS.edit);
  });

  test('missing sections are listed by their human names with a hint to press the button', () => {
    const text = allText(reviewMessage(review(null)).blocks);
    assert.ok(
      text.includes(
        ':memo: *Still to be completed:* Impact, Detection, Contributing factors, What went well, What was hard, Action items. Press *Fill in the review* below to add them.',
      ),
    );
    const partial = allText(reviewMessage(review({ ...fullInput, wasHard: undefined })).blocks);
    assert.ok(partial.includes('*Still to be completed:* What was hard. Press *Fill in the review* below to add it.'));
    assert.ok(!allText(reviewMessage(review(fullInput)).blocks).includes('Still to be completed'));
  });

  test('a near miss is labelled "Near miss" instead of a severity history', () => {
    const r = review(fullInput);
    const normal = allText(reviewMessage(r).blocks);
    assert.ok(
      normal.includes(
        '*Severity history:* declared SEV2 Tue 24 Nov 14:05 GMT → SEV1 Tue 24 Nov 14:07 GMT: wards &lt;b&gt; &amp; theatres',
      ),
    );
    assert.ok(normal.includes('*Severity*\n:red_circle: SEV1 (Critical)'));

    const near = reviewMessage({ ...r, header: { ...r.header, nearMiss: true } });
    const text = allText(near.blocks);
    assert.ok(text.includes(':large_green_circle: *Near miss*: no harm reached users'));
    assert.ok(text.includes('*Outcome*\n:large_green_circle: Near miss'));
    assert.ok(!text.includes('Severity history'));
    assert.ok(!text.includes('*Severity*'));
    assert.match(near.text, /^Post-incident review \(near miss\): INC-42 /);
  });

  test('user text is escaped: no pings, no forged links', () => {
    const msg = reviewMessage(review(fullInput));
    const text = allText(msg.blocks);
    assert.ok(!text.includes('<!channel>') && !text.includes('<!here>'));
    assert.ok(!text.includes('<@U999>'));
    assert.ok(text.includes('Quick rollback &lt;@U999&gt; &amp; calm comms'));
    assert.ok(text.includes('Two clinics &lt;used&gt; paper &amp; pens'));
    assert.ok(text.includes('*Affected service*\nehr &lt;core&gt; &amp; auth'));
    assert.ok(text.includes('Alert on login failure rate &gt; 5%'));
    // The header is plain_text: shown as written, never parsed.
    assert.equal((msg.blocks[0] as Json).text.text, 'INC-42: EHR <!channel> & login failing — Post-incident review');
  });

  test('key facts, times with durations, impact, detection, factors and action items', () => {
    const text = allText(reviewMessage(review(fullInput)).blocks);
    assert.ok(text.includes('*Declared*\nTue 24 Nov 14:05 GMT'));
    assert.ok(text.includes('*Acknowledged*\nTue 24 Nov 14:06 GMT\n_after 1m_'));
    assert.ok(text.includes('*Roles*\nCommander: <@UBOB>\nScribe: <@UCAROL>'));
    assert.ok(text.includes('*How:* Staff report'));
    assert.ok(text.includes('• *Change or deploy*: Config change to auth timeouts'));
    assert.ok(text.includes('*Action items* (2)'));
    assert.ok(
      text.includes('• Alert on login failure rate &gt; 5% — <@UBOB> · due 2026-12-01 · Observability · High priority'),
    );
    assert.ok(
      text.includes('• Add a review gate for auth config — _no owner_ · no due date · Guardrail · Medium priority'),
    );
  });

  test('action items show their ref when there is one, at most 15, then "and N more"', () => {
    const r = review(fullInput);
    const items = Array.from({ length: 18 }, (_, i) => ({
      ...r.actionItems![0]!,
      text: `Item ${i}`,
      ref: `ACT-${i + 1}`,
      status: i === 1 ? ('done' as const) : ('open' as const),
    }));
    const text = allText(reviewMessage({ ...r, actionItems: items }).blocks);
    assert.ok(text.includes('• *ACT-1* Item 0 — <@UBOB>'));
    assert.ok(text.includes('• :white_check_mark: *ACT-2* Item 1 — <@UBOB>'), 'a done item is marked');
    assert.ok(text.includes('• *ACT-15* Item 14'));
    assert.ok(!text.includes('Item 15 '));
    assert.ok(text.includes('_… and 3 more in the attached Markdown file_'));
  });

  test('a deleted pin is struck through and marked; its @here is not a ping', () => {
    const text = allText(reviewMessage(review(fullInput)).blocks);
    assert.ok(
      text.includes(
        ':pushpin: *Tue 24 Nov 14:08 GMT* · <@UDAVE> · <https://example.slack.com/archives/C42/p1764080700000100|message> — ~Patient list for ward 7 @here~ _(deleted)_',
      ),
    );
  });

  test('clipMrkdwn never splits an entity or a mention', () => {
    assert.equal(clipMrkdwn('ab&amp;cd', 5), 'ab…');
    assert.equal(clipMrkdwn('ab <@U123> cd', 8), 'ab …');
    assert.equal(clipMrkdwn('short', 5), 'short');
  });
});

// ---------------------------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------------------------

/** state.values as Slack sends them for a form submitted unchanged (every field at its initial value). */
function stateFromInitials(view: Json): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const b of view.blocks as Json[]) {
    if (b.type !== 'input') continue;
    const e = b.element;
    let v: Json;
    switch (e.type) {
      case 'plain_text_input':
        v = { type: e.type, value: e.initial_value ?? null };
        break;
      case 'static_select':
        v = { type: e.type, selected_option: e.initial_option ?? null };
        break;
      case 'checkboxes':
        v = { type: e.type, selected_options: e.initial_options ?? [] };
        break;
      case 'users_select':
        v = { type: e.type, selected_user: e.initial_user ?? null };
        break;
      case 'datepicker':
        v = { type: e.type, selected_date: e.initial_date ?? null };
        break;
      default:
        throw new Error(`unexpected element ${e.type}`);
    }
    values[b.block_id] = { [e.action_id]: v };
  }
  return values;
}

const modalArgs = (prefill: ReviewInputDraft | null) => ({
  incidentRef: 'INC-42',
  title: 'EHR <login> & failing',
  prefill,
  metadata: { incidentId: '2f1c6a52-8d0e-4a57-9f0f-0a1b2c3d4e5f', channelId: 'C42' },
});

describe('reviewModal and reviewFromModal', () => {
  test('a modal with REVIEW_MODAL ids, every field optional, a short title and JSON metadata', () => {
    const view = reviewModal(modalArgs(null)) as Json;
    assert.equal(view.type, 'modal');
    assert.equal(view.callback_id, REVIEW_MODAL.callbackId);
    assert.equal(view.title.type, 'plain_text');
    assert.equal(view.title.text, 'Post-incident review');
    assert.ok(view.title.text.length <= 24);
    assert.equal(view.submit.text, 'Save review');
    assert.ok(view.submit.text.length <= 24 && view.close.text.length <= 24);
    assert.ok(view.private_metadata.length <= 3000);
    assert.deepEqual(JSON.parse(view.private_metadata), {
      incidentId: '2f1c6a52-8d0e-4a57-9f0f-0a1b2c3d4e5f',
      channelId: 'C42',
    });
    const blocks = checkBlocks(view.blocks, 100);

    const inputs = blocks.filter((b) => b.type === 'input');
    assert.deepEqual(inputs.map((b) => b.block_id).sort(), Object.values(REVIEW_MODAL.blocks).sort());
    for (const b of inputs) {
      assert.equal(b.optional, true, `${b.block_id} is optional`);
      assert.equal(b.element.action_id, reviewInputId(b.block_id));
    }
    const el = (id: string) => inputs.find((b) => b.block_id === id)!.element;
    const B = REVIEW_MODAL.blocks;
    for (const id of [
      B.usersAffected,
      B.clinicalImpact,
      B.dataImpact,
      B.detectionNote,
      B.otherFactors,
      B.wentWell,
      B.wasHard,
    ]) {
      assert.equal(el(id).type, 'plain_text_input');
      assert.equal(el(id).multiline, true);
      assert.equal(el(id).max_length, 3000);
    }
    assert.equal(el(B.actionText).max_length, 500);
    assert.equal(el(B.detection).type, 'static_select');
    assert.equal(el(B.factors).type, 'checkboxes');
    assert.ok(!('initial_options' in el(B.factors)), 'no empty initial_options');
    assert.equal(el(B.actionOwner).type, 'users_select');
    assert.equal(el(B.actionDue).type, 'datepicker');
    assert.equal(el(B.actionCategory).initial_option.value, 'guardrail');
    assert.equal(el(B.actionPriority).initial_option.value, 'medium');
    assert.equal(el(B.usersAffected).initial_value, undefined);
    assert.ok(allText(blocks).includes('*INC-42: EHR &lt;login&gt; &amp; failing*'));
    assert.ok(blocks.some((b) => b.type === 'divider'));
  });

  test('the prefill round-trips: a form submitted unchanged gives the stored input back, and it parses', () => {
    const prefill: ReviewInputDraft = {
      impact: { usersAffected: '~300 clinicians', clinicalImpact: 'Two clinics on paper', dataImpact: 'None' },
      detection: { how: 'alert', note: 'PagerDuty paged the on-call' },
      contributingFactors: [
        { factor: 'runbook-gap', detail: 'details are not editable in the form' },
        { factor: 'missing-guardrail' },
      ],
      otherFactors: 'Friday change',
      wentWell: 'Fast rollback',
      wasHard: 'Ownership',
    };
    const view = reviewModal(modalArgs(prefill)) as Json;
    checkBlocks(view.blocks, 100);
    const { input, action } = reviewFromModal(stateFromInitials(view));
    assert.equal(action, null, 'no action item when its text is blank');
    assert.deepEqual(input, {
      ...prefill,
      // Only the factor choice is in the form (in taxonomy order).
      contributingFactors: [{ factor: 'missing-guardrail' }, { factor: 'runbook-gap' }],
    });
    const parsed = reviewInputSchema.safeParse(input);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  });

  test('a filled-in action item is read with its owner, date, category and priority; it parses', () => {
    const view = reviewModal(modalArgs(null)) as Json;
    const B = REVIEW_MODAL.blocks;
    const values = stateFromInitials(view);
    values[B.actionText] = {
      [reviewInputId(B.actionText)]: { type: 'plain_text_input', value: '  Alert on login errors  ' },
    };
    values[B.actionOwner] = { [reviewInputId(B.actionOwner)]: { type: 'users_select', selected_user: 'UBOB' } };
    values[B.actionDue] = { [reviewInputId(B.actionDue)]: { type: 'datepicker', selected_date: '2026-12-01' } };
    const { input, action } = reviewFromModal(values);
    assert.deepEqual(input, {});
    assert.deepEqual(action, {
      text: 'Alert on login errors',
      ownerId: 'UBOB',
      due: '2026-12-01',
      category: 'guardrail',
      priority: 'medium',
    });
    assert.ok(reviewInputSchema.safeParse({ actionItems: [action] }).success);
  });

  test('blank fields are left out; half an impact or a note without a method lets zod name the missing part; garbage never throws', () => {
    const B = REVIEW_MODAL.blocks;
    const { input } = reviewFromModal({
      [B.clinicalImpact]: { [reviewInputId(B.clinicalImpact)]: { type: 'plain_text_input', value: ' Paper notes ' } },
      [B.wentWell]: { [reviewInputId(B.wentWell)]: { type: 'plain_text_input', value: '   ' } },
      [B.detectionNote]: {
        [reviewInputId(B.detectionNote)]: { type: 'plain_text_input', value: 'note without a method' },
      },
    });
    assert.deepEqual(input, {
      impact: { clinicalImpact: 'Paper notes', dataImpact: '' },
      detection: { note: 'note without a method' },
    });
    const parsed = reviewInputSchema.safeParse(input);
    assert.equal(parsed.success, false);
    assert.deepEqual(
      parsed.error!.issues.map((i) => i.path.join('.')),
      ['impact.dataImpact', 'detection.how'],
    );
    // Only "users affected", or only an owner for an action: kept, so the form asks for the rest.
    const partial = reviewFromModal({
      [B.usersAffected]: { [reviewInputId(B.usersAffected)]: { type: 'plain_text_input', value: 'Two wards' } },
      [B.actionOwner]: { [reviewInputId(B.actionOwner)]: { type: 'users_select', selected_user: 'UBOB' } },
    });
    assert.deepEqual(partial.input, { impact: { usersAffected: 'Two wards', clinicalImpact: '', dataImpact: '' } });
    assert.equal(partial.action?.text, '');
    assert.equal(reviewInputSchema.safeParse({ ...partial.input, actionItems: [partial.action] }).success, false);

    assert.deepEqual(reviewFromModal({}), { input: {}, action: null });
    assert.deepEqual(
      reviewFromModal({ [B.factors]: { [reviewInputId(B.factors)]: { selected_options: 'nope' } } } as never),
      { input: {}, action: null },
    );
  });

  test('a prefill with an unknown detection method or oversized text still gives a valid form', () => {
    const view = reviewModal(modalArgs({ detection: { how: 'psychic' as never }, wentWell: 'x'.repeat(5000) })) as Json;
    const blocks = checkBlocks(view.blocks, 100);
    const el = (id: string) => blocks.find((b) => b.block_id === id)!.element;
    assert.equal(el(REVIEW_MODAL.blocks.detection).initial_option, undefined);
    assert.equal(el(REVIEW_MODAL.blocks.wentWell).initial_value.length, 3000);
  });
});

// ---------------------------------------------------------------------------------------------
// Action items
// ---------------------------------------------------------------------------------------------

const TODAY = '2026-11-25';
/** An item whose texts need escaping. */
const anItem = (overrides: Partial<ActionItem> = {}): ActionItem =>
  anActionItem({
    incidentTitle: 'Pharmacy <orders> & stock',
    text: 'Alert on failed <orders> & retries',
    ...overrides,
  });

describe('action item views', () => {
  test('an item: ref, escaped text, owner, due, category, priority and its incident linked to the channel', () => {
    const item = anItem({ number: 12 });
    const msg = actionListMessage([item], { filter: 'mine', today: TODAY, total: 1 });
    const text = allText(checkBlocks(msg.blocks, 50));
    assert.ok(
      text.includes(
        '*ACT-12* Alert on failed &lt;orders&gt; &amp; retries\n<@UBOB> · due 2026-12-01 · Observability · High priority · INC-7 Pharmacy &lt;orders&gt; &amp; stock in <#C07>',
      ),
    );
    assert.equal(msg.text, 'Your open action items: 1');
  });

  test('an item of a private incident shows neither its title nor its channel', () => {
    const item = anItem({
      incidentPrivate: true,
      incidentTitle: 'Secret patient record leak',
      incidentChannelId: 'CSECRET',
    });
    for (const blocks of [
      actionListMessage([item], { filter: 'team', today: TODAY, total: 1 }).blocks,
      (appHomeView({ mine: [item], teamOverdue: [], today: TODAY, mineTotal: 1, overdueTotal: 0 }) as Json).blocks,
    ]) {
      const json = JSON.stringify(blocks);
      assert.ok(json.includes('INC-7 (private incident)'));
      assert.ok(!json.includes('Secret'));
      assert.ok(!json.includes('CSECRET'));
    }
  });

  test('overdue items are marked with how late they are; snoozed ones say until when; no owner says so', () => {
    const late = anItem({ due: '2026-11-22', ownerId: null, snoozedUntil: '2026-12-02' });
    const oneDay = anItem({ due: '2026-11-24' });
    const dueToday = anItem({ due: TODAY });
    const text = allText(
      actionListMessage([late, oneDay, dueToday], { filter: 'overdue', today: TODAY, total: 3 }).blocks,
    );
    assert.ok(
      text.includes('_no owner_ · due 2026-11-22 :warning: *overdue by 3 days* · :zzz: snoozed until 2026-12-02'),
    );
    assert.ok(text.includes('due 2026-11-24 :warning: *overdue by 1 day*'));
    assert.ok(text.includes(`due ${TODAY} (today)`));
    assert.equal(text.match(/overdue by/g)?.length, 2);
  });

  test('done items show when and by whom, and have only a Reopen button', () => {
    const done = anItem({
      status: 'done',
      completedAt: new Date('2026-11-23T09:00:00Z'),
      completedBy: 'UCAROL',
      due: '2026-11-01',
    });
    const open = anItem();
    const blocks = checkBlocks(actionListMessage([done, open], { filter: 'all', today: TODAY, total: 2 }).blocks, 50);
    const text = allText(blocks);
    assert.ok(
      text.includes(
        `:white_check_mark: done <!date^${Date.parse('2026-11-23T09:00:00Z') / 1000}^{date_short}|2026-11-23> by <@UCAROL>`,
      ),
    );
    assert.ok(!text.includes(':warning:'), 'a done item is never overdue');
    const controls = blocks.filter((b) => b.type === 'actions');
    assert.deepEqual(
      controls.map((b) => b.block_id),
      [`${ACTION_ITEM_ACTIONS.blockPrefix}${done.id}`, `${ACTION_ITEM_ACTIONS.blockPrefix}${open.id}`],
    );
    // The done item's block: no complete, reassign or snooze; one Reopen button carrying its id.
    assert.deepEqual((controls[0] as Json).elements, [
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Reopen', emoji: true },
        action_id: ACTION_ITEM_ACTIONS.reopen,
        value: done.id,
      },
    ]);
    assert.deepEqual(
      (controls[1] as Json).elements.map((e: Json) => e.action_id),
      [ACTION_ITEM_ACTIONS.complete, ACTION_ITEM_ACTIONS.reassign, ACTION_ITEM_ACTIONS.snooze],
    );
  });

  test('controls: the block id carries the item id; complete, reassign and snooze', () => {
    const item = anItem();
    const c = actionItemControls(item) as Json;
    checkBlocks([c], 1);
    assert.equal(c.type, 'actions');
    assert.equal(c.block_id, `${ACTION_ITEM_ACTIONS.blockPrefix}${item.id}`);
    const [complete, reassign, snooze] = c.elements;
    assert.deepEqual(complete, {
      type: 'button',
      text: { type: 'plain_text', text: 'Complete', emoji: true },
      action_id: ACTION_ITEM_ACTIONS.complete,
      value: item.id,
      style: 'primary',
    });
    assert.equal(reassign.type, 'users_select');
    assert.equal(reassign.action_id, ACTION_ITEM_ACTIONS.reassign);
    assert.equal(reassign.placeholder.text, 'Reassign');
    assert.equal(reassign.initial_user, 'UBOB');
    assert.equal(snooze.type, 'static_select');
    assert.equal(snooze.action_id, ACTION_ITEM_ACTIONS.snooze);
    assert.equal(snooze.placeholder.text, 'Snooze');
    assert.deepEqual(
      snooze.options.map((o: Json) => [o.text.text, o.value]),
      [
        ['1 week', '7'],
        ['2 weeks', '14'],
        ['30 days', '30'],
      ],
    );
    assert.ok(!('initial_user' in (actionItemControls(anItem({ ownerId: null })) as Json).elements[1]));
  });

  test('the list shows at most 20 items, then "and N more", within 50 blocks', () => {
    const items = Array.from({ length: 30 }, () => anItem({ text: '&'.repeat(500), incidentTitle: '<'.repeat(3000) }));
    const msg = actionListMessage(items, { filter: 'team', today: TODAY, total: 42 });
    const blocks = checkBlocks(msg.blocks, 50);
    assert.equal(blocks.filter((b) => b.type === 'actions').length, 20);
    assert.ok(allText(blocks).includes('_… and 22 more._'));
    assert.equal((msg.blocks[0] as Json).text.text, 'Open action items of the team (42)');
  });

  test('an empty list says there is nothing, per filter, and how to add one', () => {
    const lines = {
      mine: 'You have no open action items.',
      team: 'The team has no open action items.',
      overdue: 'Nothing is overdue.',
      all: 'There are no action items yet.',
    } as const;
    for (const filter of ['mine', 'team', 'overdue', 'all'] as const) {
      const blocks = checkBlocks(actionListMessage([], { filter, today: TODAY, total: 0 }).blocks, 50);
      const text = allText(blocks);
      assert.ok(text.includes(lines[filter]), filter);
      assert.ok(text.includes('/incident action add &lt;what to do&gt;'), 'how to add one, escaped');
    }
  });

  test('App Home: my items and the team’s overdue ones with controls, block ids unique, a how-to footer', () => {
    const mine = Array.from({ length: 20 }, () => anItem());
    const late = anItem({ due: '2026-11-01', ownerId: 'UCAROL' });
    // My first item is overdue too: it is listed twice but has controls once.
    const view = appHomeView({
      mine,
      teamOverdue: [mine[0]!, late],
      today: TODAY,
      mineTotal: 20,
      overdueTotal: 2,
    }) as Json;
    assert.equal(view.type, 'home');
    const blocks = checkBlocks(view.blocks, 100);
    assert.equal(blocks.filter((b) => b.type === 'actions').length, 16);
    const text = allText(blocks);
    assert.ok(text.includes('_… and 5 more:_ `/incident actions mine` lists them.'));
    assert.ok(text.includes('_Yours: listed above._'));
    assert.ok(text.includes('overdue by 24 days'));
    assert.ok(text.includes('*How it works:*'));
    assert.equal(blocks[0]!.text.text, 'Your open action items (20)');

    const empty = appHomeView({ mine: [], teamOverdue: [], today: TODAY, mineTotal: 0, overdueTotal: 0 }) as Json;
    const emptyText = allText(checkBlocks(empty.blocks, 100));
    assert.ok(emptyText.includes('You have no open action items.') && emptyText.includes('Nothing is overdue.'));
  });
});

// ---------------------------------------------------------------------------------------------
// Guardrail report
// ---------------------------------------------------------------------------------------------

function aReport(overrides: Partial<GuardrailReport> = {}): GuardrailReport {
  return {
    periodDays: 90,
    from: new Date('2026-08-27T12:00:00Z'),
    to: new Date('2026-11-25T12:00:00Z'),
    incidents: 12,
    nearMisses: 3,
    reviewed: 7,
    factors: [
      { factor: 'missing-guardrail', label: 'Missing guardrail', count: 4 },
      { factor: 'observability-gap', label: 'Observability gap', count: 2 },
      { factor: 'capacity', label: 'Capacity', count: 1 },
    ],
    recurringServices: [
      { service: 'ehr <core> & auth', incidents: 4 },
      { service: 'pharmacy', incidents: 2 },
    ],
    actionsByCategory: [
      { category: 'guardrail', label: 'Guardrail', open: 3, done: 1 },
      { category: 'observability', label: 'Observability', open: 2, done: 2 },
      { category: 'ownership', label: 'Ownership', open: 0, done: 1 },
      { category: 'runbook', label: 'Runbook', open: 0, done: 0 },
      { category: 'process', label: 'Process', open: 1, done: 0 },
    ],
    openActions: 6,
    doneActions: 4,
    medianOpenAgeDays: 21,
    overdueOpen: 2,
    ...overrides,
  };
}

describe('guardrailReportMessage', () => {
  test('headline numbers, factors as a bar chart, recurring services (escaped), the category table', () => {
    const msg = guardrailReportMessage(aReport());
    const blocks = checkBlocks(msg.blocks, 50);
    assert.equal(blocks[0]!.text.text, 'Guardrail report: last 90 days');
    const text = allText(blocks);
    assert.ok(text.includes('*Incidents*\n12 (3 near misses)'));
    assert.ok(text.includes('*Reviewed*\n7 of 12 with contributing factors'));
    assert.ok(text.includes('*Action items created*\n6 open · 4 done'));
    assert.ok(text.includes('*Open backlog (all time)*\n21 days median age · :warning: 2 overdue'));
    assert.ok(text.includes('Missing guardrail  ▇▇▇▇ 4\nObservability gap  ▇▇ 2\nCapacity           ▇ 1'));
    assert.ok(text.includes('• ehr &lt;core&gt; &amp; auth: 4 incidents\n• pharmacy: 2 incidents'));
    assert.ok(!text.includes('<core>'));
    assert.ok(text.includes('Category       Open  Done\nGuardrail         3     1\nObservability     2     2'));
    assert.ok(text.includes('Total             6     4'));
    assert.ok(!text.includes('No incident in this period has a review'));
    assert.equal(
      msg.text,
      'Guardrail report (last 90 days): 12 incidents, 7 reviewed, 6 open action items; top factor: Missing guardrail',
    );
  });

  test('nothing reviewed yet: a hint, no chart; bars scale to the largest count', () => {
    const msg = guardrailReportMessage(
      aReport({
        reviewed: 0,
        factors: [],
        recurringServices: [],
        medianOpenAgeDays: null,
        overdueOpen: 0,
        nearMisses: 0,
        incidents: 1,
      }),
    );
    const text = allText(checkBlocks(msg.blocks, 50));
    assert.ok(text.includes('No incident in this period has a review with contributing factors yet'));
    assert.ok(text.includes('*Contributing factors*\n_None recorded in this period._'));
    assert.ok(text.includes('_None: no service had more than one incident._'));
    assert.ok(text.includes('*Open backlog (all time)*\n_nothing open_ · none overdue'));
    assert.ok(text.includes('*Incidents*\n1\n') || text.includes('*Incidents*\n1'));

    const big = allText(
      guardrailReportMessage(
        aReport({
          factors: [
            { factor: 'process', label: 'Process', count: 100 },
            { factor: 'capacity', label: 'Capacity', count: 1 },
          ],
        }),
      ).blocks,
    );
    assert.ok(big.includes(`Process   ${'▇'.repeat(20)} 100`));
    assert.ok(big.includes('Capacity  ▇ 1'));
  });
});
