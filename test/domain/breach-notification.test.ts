import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BreachNotification, RecordedBreachAssessment } from '../../src/domain/breach-assessment.ts';
import {
  assertMayApprove,
  assertMaySend,
  assertMayWithdraw,
  draftNotification,
  obligationFor,
  planRedraft,
  type DraftInput,
} from '../../src/domain/breach-notification.ts';
import { breachObligations, type BreachRegime, type Obligation } from '../../src/domain/breach-regimes.ts';
import { breachFactsOf } from '../../src/domain/breach-assessment.ts';
import { AppError } from '../../src/domain/errors.ts';
import { parseIncidentCommand } from '../../src/domain/command.ts';
import { noticeMessage } from '../../src/slack/views/notices.ts';
import { BREACH_NOTIFICATION_ACTIONS } from '../../src/slack/ids.ts';
import { anIncident } from '../support/fixtures.ts';

const LONDON = 'Europe/London';
const AWARE = new Date('2026-06-10T09:00:00Z');
const NOW = new Date('2026-06-11T10:30:00Z');
/** A valid NHS number (its check digit holds), as a person might type it. */
const NHS = '943 476 5919';

const ASSESSMENT: RecordedBreachAssessment = {
  categories: ['health', 'contact'],
  peopleAffected: 1200,
  peopleEstimated: true,
  mostInOneState: 600,
  likelihood: 'likely',
  severity: 'significant',
  contained: true,
  containment: 'Revoked the leaked API key and rotated the database credentials.',
  reportable: true,
  reason: 'Health data of many patients exposed to an outside party.',
  assessedBy: 'UDPO',
  assessedAt: AWARE,
};

const incident = anIncident({
  number: 42,
  title: 'Patient records exposed by a misconfigured bucket',
  description: 'A storage bucket with appointment letters was public for two days.',
  breachAwareAt: AWARE,
  dataBreach: true,
  declaredBy: 'UALICE',
  roles: { COMMANDER: 'UCMD', DPO: 'UDPO' },
});

function obligation(regime: BreachRegime, kind: Obligation['kind'], assessment = ASSESSMENT): Obligation {
  const found = breachObligations([regime], breachFactsOf(AWARE, assessment), LONDON).find((o) => o.kind === kind);
  assert.ok(found, `${regime} ${kind} applies`);
  return found;
}

function draft(regime: BreachRegime, kind: Obligation['kind'], over: Partial<DraftInput> = {}) {
  return draftNotification({
    incident,
    assessment: ASSESSMENT,
    obligation: obligation(regime, kind, over.assessment ?? ASSESSMENT),
    others: [],
    version: 1,
    timeZone: LONDON,
    now: NOW,
    ...over,
  });
}

/** Each of `fields` appears as a bold field label or a heading in the Markdown. */
function assertFields(markdown: string, fields: string[]) {
  for (const f of fields) assert.ok(markdown.includes(f), `the draft has "${f}":\n${markdown}`);
}

describe('breach notification drafts: the fields each recipient asks for', () => {
  test('the ICO (Art. 33(3)): nature, categories and numbers, contact, consequences, measures, dates, people told', () => {
    const { markdown, placeholders } = draft('uk-gdpr', 'regulator');
    assertFields(markdown, [
      '# Personal data breach report to the ICO',
      '**Incident:** INC-42: Patient records exposed by a misconfigured bucket',
      'UK GDPR Art. 33',
      '**What happened:** A storage bucket with appointment letters was public for two days.',
      '**When it happened:** [to complete:',
      '**When we became aware:** 2026-06-10 10:00 BST',
      '**Categories of personal data:** Health data (special category); Contact details',
      '**Special category data:** Yes: Health data (special category)',
      '**Approximate number of people affected:** 1,200 (estimated)',
      '**Approximate number of personal data records:** [to complete:',
      '## 2. Likely consequences',
      'Likelihood of harm: likely; severity: significant (high risk to the people affected)',
      '**Containment:** Contained: Revoked the leaked API key',
      '## 3. Measures taken or proposed',
      '**Have they been told?** Not yet. [to complete:',
      '**Data protection officer or other contact:** [to complete:',
      '**Due:** 2026-06-13 10:00 BST',
      '**Reportable:** Yes. Reason: Health data of many patients',
    ]);
    assert.ok(!markdown.includes('Reasons for the delay'), 'not late: no delay section');
    assert.ok(placeholders.length >= 6);
    assert.ok(placeholders.every((p) => p.startsWith('[to complete: ')));
  });

  test('the ICO report after 72 hours asks for the reasons for the delay; the people told is read from their notification', () => {
    const late = new Date(AWARE.getTime() + 80 * 3_600_000);
    const sentAt = new Date('2026-06-11T08:00:00Z');
    const { markdown } = draft('uk-gdpr', 'regulator', {
      now: late,
      others: [{ regime: 'uk-gdpr', kind: 'individuals', state: 'sent', sentAt }],
    });
    assertFields(markdown, [
      '(**late**',
      '## 6. Reasons for the delay',
      '**Have they been told?** Yes: the people affected were told on 2026-06-11 09:00 BST.',
    ]);
  });

  test('the people affected (Art. 34): plain words, contact, consequences, measures, what they can do, the ICO', () => {
    const { markdown } = draft('uk-gdpr', 'individuals');
    assertFields(markdown, [
      '## What happened',
      'We became aware of it on 2026-06-10 10:00 BST.',
      '## What information was involved',
      '## What this may mean for you',
      '## What we have done',
      '## What you can do',
      'Be wary of emails, calls or texts',
      '## Who to contact',
      'complain to the Information Commissioner',
    ]);
  });

  test('HIPAA individuals (164.404(c)): dates of breach and discovery, PHI types, steps, what we do, contact procedures', () => {
    const { markdown } = draft('hipaa', 'individuals', { timeZone: 'America/New_York' });
    assertFields(markdown, [
      '45 CFR 164.404',
      '**Date of the breach:** [to complete:',
      '**Date we discovered it:** 2026-06-10 05:00 EDT',
      '**Types of protected health information:** Health data (special category); Contact details',
      '## What you should do to protect yourself',
      '## What we are doing',
      '**To investigate and contain it:** Contained',
      'Toll-free telephone: [to complete:',
      'Email: [to complete:',
      'Website: [to complete:',
      'Post: [to complete:',
    ]);
  });

  test('HHS, the annual log and the media notice', () => {
    const hhs = draft('hipaa', 'hhs').markdown;
    assertFields(hhs, [
      'HHS breach report (500 or more individuals)',
      '**Covered entity:** [to complete:',
      '**Business associate involved:**',
      '**Discovery date:**',
      '**Approximate number of individuals affected:** 1,200 (estimated)',
      '**Type of breach:** [to complete:',
      '**Location of the breached information:**',
      '**Safeguards in place before the breach:**',
      '**Media notice:**',
      '45 CFR 164.408(b)',
    ]);
    const small = { ...ASSESSMENT, peopleAffected: 40, mostInOneState: 40 };
    const log = draft('hipaa', 'hhs-annual-log', { assessment: small }).markdown;
    assertFields(log, [
      'annual log: fewer than 500',
      '45 CFR 164.408(c)',
      '**Due:** 2027-03-02 00:00 GMT (the end of 2027-03-01)',
    ]);
    assert.ok(!log.includes('**Media notice:**'));
    const media = draft('hipaa', 'media').markdown;
    assertFields(media, [
      'Media notice',
      '**Residents of the state affected:** 600',
      '**Date of discovery:**',
      '## What people should do',
      'Toll-free telephone',
    ]);
  });

  test('NHS DSPT: type, date, people, data categories, sensitive, containment, ICO notified', () => {
    const { markdown } = draft('dspt', 'dspt', {
      others: [{ regime: 'uk-gdpr', kind: 'regulator', state: 'approved', sentAt: null }],
    });
    assertFields(markdown, [
      '# NHS DSPT incident report',
      '**Incident type:** [to complete:',
      '**Date of the incident:** [to complete:',
      '**Date detected (aware):** 2026-06-10 10:00 BST',
      '**Number of people affected:** 1,200 (estimated)',
      '**Data categories involved:** Health data',
      '**Sensitive (special category) data:** Yes',
      '**Containment:** Contained',
      '**ICO notified?** Not yet: a notification to the ICO is approved.',
    ]);
  });

  test('without an assessment every fact it gives is a placeholder, nothing guessed', () => {
    const pending = breachObligations(['uk-gdpr'], breachFactsOf(AWARE, null), LONDON)[0]!;
    const { markdown } = draftNotification({
      incident,
      assessment: null,
      obligation: pending,
      others: [],
      version: 1,
      timeZone: LONDON,
      now: NOW,
    });
    assertFields(markdown, [
      '**Categories of personal data:** [to complete: the kinds of personal data involved (the breach is not assessed yet)]',
      '**Approximate number of people affected:** [to complete:',
      '**Containment:** [to complete:',
      '**Reportable:** [to complete: the decision]',
    ]);
  });

  test('an NHS number typed in the title, description or containment is redacted; the findings say where', () => {
    const careless = {
      ...incident,
      title: `Letter for ${NHS} sent to the wrong patient`,
      description: `NHS ${NHS.replace(/ /g, '')} exposed`,
    };
    for (const [regime, kind] of [
      ['uk-gdpr', 'regulator'],
      ['uk-gdpr', 'individuals'],
      ['hipaa', 'hhs'],
      ['dspt', 'dspt'],
    ] as const) {
      const d = draft(regime, kind, {
        incident: careless,
        assessment: { ...ASSESSMENT, containment: `Recalled the letter to ${NHS}.` },
      });
      assert.ok(!/943\s?476\s?5919/.test(d.markdown), `${regime} ${kind} carries no NHS number`);
      assert.ok(d.markdown.includes('\\[redacted NHS number\\]'), `${regime} ${kind}`);
      assert.deepEqual([...new Set(d.findings.map((f) => `${f.path} ${f.kind}`))].sort(), [
        'containment nhs-number',
        'description nhs-number',
        'title nhs-number',
      ]);
    }
  });

  test('Markdown or mentions typed in the title do not become links or markup', () => {
    const d = draft('uk-gdpr', 'regulator', { incident: { ...incident, title: '<!channel> [click](http://x) *now*' } });
    assert.ok(d.markdown.includes('&lt;!channel&gt; \\[click\\](http://x) \\*now\\*'));
  });

  test("a drill's draft says it is an exercise, not to be sent, at its top", () => {
    const md = draft('uk-gdpr', 'regulator', { incident: { ...incident, drill: true } }).markdown;
    assert.ok(
      md.startsWith(
        '# EXERCISE: Personal data breach report to the ICO\n\n> **EXERCISE (drill): not a real breach. Do not send this notification.**',
      ),
    );
    assert.ok(!draft('uk-gdpr', 'regulator').markdown.includes('EXERCISE'));
  });

  test('a follow-up version says it is an update', () => {
    assert.ok(
      draft('uk-gdpr', 'regulator', { version: 2 }).markdown.includes(
        'version 2, an update to an earlier notification',
      ),
    );
  });
});

describe('which notification a word names', () => {
  const all = breachObligations(['uk-gdpr', 'hipaa', 'dspt'], breachFactsOf(AWARE, ASSESSMENT), LONDON);
  test('each word names its obligation; `individuals` needs the regime when both apply', () => {
    assert.equal(obligationFor('ico', null, all).kind, 'regulator');
    assert.equal(
      obligationFor(
        'hhs-log',
        null,
        breachObligations(
          ['hipaa'],
          breachFactsOf(AWARE, { ...ASSESSMENT, peopleAffected: 3, mostInOneState: 3 }),
          LONDON,
        ),
      ).kind,
      'hhs-annual-log',
    );
    assert.throws(
      () => obligationFor('individuals', null, all),
      (e: unknown) => e instanceof AppError && /say which, e.g. `individuals uk-gdpr`/.test(e.userMessage),
    );
    assert.equal(obligationFor('individuals', 'hipaa', all).regime, 'hipaa');
  });
  test('an obligation the configured regimes do not have is refused, naming what applies', () => {
    const uk = breachObligations(['uk-gdpr'], breachFactsOf(AWARE, ASSESSMENT), LONDON);
    assert.throws(
      () => obligationFor('hhs', null, uk),
      (e: unknown) => e instanceof AppError && /What applies now: `ico`, `individuals`/.test(e.userMessage),
    );
    assert.throws(
      () => obligationFor('ico', null, []),
      (e: unknown) => e instanceof AppError && /Nothing applies now/.test(e.userMessage),
    );
  });
});

describe('the life of a notification', () => {
  const n = (over: Partial<BreachNotification> = {}): BreachNotification => ({
    id: 'n1',
    incidentId: 'i1',
    regime: 'uk-gdpr',
    kind: 'regulator',
    state: 'draft',
    markdown: '# v1\n',
    version: 1,
    draftedBy: 'UALICE',
    draftedAt: NOW,
    approvedBy: null,
    approvedAt: null,
    sentAt: null,
    sentBy: null,
    reference: null,
    withdrawnAt: null,
    withdrawnBy: null,
    withdrawReason: null,
    ...over,
  });
  const forbidden = (re: RegExp) => (e: unknown) =>
    e instanceof AppError && e.code === 'forbidden' && re.test(e.userMessage);
  const badState = (re: RegExp) => (e: unknown) =>
    e instanceof AppError && e.code === 'invalid_state' && re.test(e.userMessage);

  test('approving: the commander or the DPO; anyone else is refused, told who can', () => {
    assert.deepEqual(assertMayApprove(n(), incident, 'UCMD'), { ownDraft: false });
    assert.deepEqual(assertMayApprove(n(), incident, 'UDPO'), { ownDraft: false });
    assert.throws(
      () => assertMayApprove(n(), incident, 'UALICE'),
      forbidden(/Only the incident commander, <@UCMD>, or the data protection officer, <@UDPO>/),
    );
    const noDpo = { ...incident, roles: { COMMANDER: 'UCMD' } };
    assert.throws(
      () => assertMayApprove(n(), noDpo, 'UBOB'),
      forbidden(/none assigned: the commander gives the role with `\/incident role dpo @user`/),
    );
    // Without a commander, the declarer commands.
    assert.doesNotThrow(() => assertMayApprove(n(), { roles: {}, declaredBy: 'UALICE' }, 'UALICE'));
  });

  test('four eyes: nobody approves their own draft while the other approver is someone else', () => {
    assert.throws(
      () => assertMayApprove(n({ draftedBy: 'UCMD' }), incident, 'UCMD'),
      forbidden(/You drafted .* someone else approves it: <@UDPO>/),
    );
    assert.throws(() => assertMayApprove(n({ draftedBy: 'UDPO' }), incident, 'UDPO'), forbidden(/<@UCMD>/));
    // No DPO: the commander approves their own, and it is said so.
    assert.deepEqual(
      assertMayApprove(n({ draftedBy: 'UCMD' }), { ...incident, roles: { COMMANDER: 'UCMD' } }, 'UCMD'),
      { ownDraft: true },
    );
    // The commander is the DPO: one person, who approves.
    assert.deepEqual(
      assertMayApprove(n({ draftedBy: 'UCMD' }), { ...incident, roles: { COMMANDER: 'UCMD', DPO: 'UCMD' } }, 'UCMD'),
      { ownDraft: true },
    );
  });

  test('only a draft is approved, only an approved one is sent', () => {
    assert.throws(
      () => assertMayApprove(n({ state: 'approved' }), incident, 'UCMD'),
      badState(/is approved: only a draft/),
    );
    assert.throws(
      () => assertMaySend(n(), incident, 'UCMD'),
      badState(/only an approved notification can be recorded as sent. Approve it first/),
    );
    assert.throws(() => assertMaySend(n({ state: 'withdrawn' }), incident, 'UCMD'), badState(/is withdrawn/));
    assert.doesNotThrow(() => assertMaySend(n({ state: 'approved' }), incident, 'UDPO'));
    assert.throws(() => assertMaySend(n({ state: 'approved' }), incident, 'UALICE'), forbidden(/record .* as sent/));
  });

  test('withdrawing: a draft or approved one, by an approver, with a reason; never a sent one', () => {
    assert.doesNotThrow(() => assertMayWithdraw(n(), incident, 'UCMD', 'Not reportable after all'));
    assert.doesNotThrow(() => assertMayWithdraw(n({ state: 'approved' }), incident, 'UDPO', 'Wrong recipient'));
    assert.throws(
      () => assertMayWithdraw(n(), incident, 'UCMD', '  '),
      (e: unknown) => e instanceof AppError && /Give the reason/.test(e.userMessage),
    );
    assert.throws(() => assertMayWithdraw(n(), incident, 'UALICE', 'mine'), forbidden(/withdraw/));
    assert.throws(
      () => assertMayWithdraw(n({ state: 'sent' }), incident, 'UCMD', 'oops'),
      badState(/cannot be withdrawn. To correct it, draft it again/),
    );
    assert.throws(
      () => assertMayWithdraw(n({ state: 'withdrawn' }), incident, 'UCMD', 'again'),
      badState(/withdrawn already/),
    );
  });

  test('drafting again: a draft replaced in place, an approval never covers changed content, a sent one gets an update', () => {
    assert.deepEqual(planRedraft(null, 'x'), { action: 'create', version: 1 });
    assert.deepEqual(planRedraft(n(), '# v2\n'), { action: 'replace', version: 1 });
    assert.deepEqual(planRedraft(n(), '# v1\n'), { action: 'unchanged', version: 1 });
    assert.deepEqual(planRedraft(n({ state: 'approved' }), '# v1\n'), { action: 'unchanged', version: 1 });
    assert.deepEqual(planRedraft(n({ state: 'approved' }), '# v2\n'), {
      action: 'new-version',
      version: 2,
      withdrawPrevious: true,
      update: false,
    });
    assert.deepEqual(planRedraft(n({ state: 'sent', version: 3 }), '# v1\n'), {
      action: 'new-version',
      version: 4,
      withdrawPrevious: false,
      update: true,
    });
    assert.deepEqual(planRedraft(n({ state: 'withdrawn' }), '# v1\n'), {
      action: 'new-version',
      version: 2,
      withdrawPrevious: false,
      update: false,
    });
  });
});

describe('/incident breach draft|approve|withdraw|sent', () => {
  const parse = (text: string) => parseIncidentCommand(text);
  test('each step, the regime when named, the reason and reference kept as typed', () => {
    assert.deepEqual(parse('breach draft ico'), { kind: 'breach-draft', target: 'ico', regime: null });
    assert.deepEqual(parse('breach draft INDIVIDUALS hipaa'), {
      kind: 'breach-draft',
      target: 'individuals',
      regime: 'hipaa',
    });
    assert.deepEqual(parse('breach approve hhs-log'), { kind: 'breach-approve', target: 'hhs-log', regime: null });
    assert.deepEqual(parse('breach withdraw individuals uk-gdpr Not high risk\nafter all'), {
      kind: 'breach-withdraw',
      target: 'individuals',
      regime: 'uk-gdpr',
      reason: 'Not high risk\nafter all',
    });
    assert.deepEqual(parse('breach withdraw ico Wrong recipient'), {
      kind: 'breach-withdraw',
      target: 'ico',
      regime: null,
      reason: 'Wrong recipient',
    });
    assert.deepEqual(parse('breach sent dspt'), { kind: 'breach-sent', target: 'dspt', regime: null, reference: null });
    assert.deepEqual(parse('breach sent ico ICO/2026/123'), {
      kind: 'breach-sent',
      target: 'ico',
      regime: null,
      reference: 'ICO/2026/123',
    });
  });
  test('a missing or unknown recipient, a withdraw without a reason, words after draft: how to write it', () => {
    const says = (re: RegExp) => (e: unknown) => e instanceof AppError && re.test(e.userMessage);
    assert.throws(() => parse('breach draft'), says(/Name the recipient: `ico`, `individuals`/));
    assert.throws(() => parse('breach draft regulator'), says(/`regulator` is not right here/));
    assert.throws(() => parse('breach withdraw ico'), says(/Give the reason for withdrawing it/));
    assert.throws(
      () => parse('breach approve ico now'),
      says(/`now` is not right here. Write it as `\/incident breach approve/),
    );
    assert.throws(() => parse(`breach sent ico ${'x'.repeat(301)}`), says(/at most 300/));
  });
  test('the other breach words are the breach feature’s, unchanged', () => {
    // Parsed by the breach feature (their fields are theirs to test): never taken for a notification step.
    for (const [text, kind] of [
      ['breach off not a breach after all', 'breach-off'],
      ['breach notified ico REF-1', 'breach-notified'],
      ['breach assess', 'breach-assess'],
      ['breach on', 'breach-on'],
    ] as const)
      assert.equal(parse(text).kind, kind, text);
  });
});

describe('the notice of a notification step', () => {
  const v = (state: BreachNotification['state']): BreachNotification => ({
    id: '5f0c7a2e-4b1d-4c3e-9f7a-1b2c3d4e5f60',
    incidentId: 'i1',
    regime: 'uk-gdpr',
    kind: 'regulator',
    state,
    markdown: '#',
    version: 2,
    draftedBy: 'UALICE',
    draftedAt: NOW,
    approvedBy: null,
    approvedAt: null,
    sentAt: null,
    sentBy: null,
    reference: 'ICO <@U1> ref',
    withdrawnAt: null,
    withdrawnBy: null,
    withdrawReason: null,
  });
  const buttons = (state: BreachNotification['state'], event: 'drafted' | 'approved' | 'sent' | 'withdrawn') => {
    const m = noticeMessage({
      kind: 'breach-notification',
      incident,
      notification: v(state),
      event,
      by: 'UCMD',
      placeholders: 3,
      redactions: 1,
    });
    const actions = m.blocks.find((b) => b.type === 'actions') as
      | { block_id: string; elements: { action_id: string; value: string }[] }
      | undefined;
    return {
      text: m.text,
      ids: actions?.elements.map((e) => e.action_id) ?? [],
      values: actions?.elements.map((e) => JSON.parse(e.value)) ?? [],
    };
  };
  test('a draft: Approve and Withdraw carrying the version shown; approved: Withdraw; sent or withdrawn: none', () => {
    const draft = buttons('draft', 'drafted');
    assert.deepEqual(draft.ids, [BREACH_NOTIFICATION_ACTIONS.approve, BREACH_NOTIFICATION_ACTIONS.withdraw]);
    assert.deepEqual(draft.values[0], { id: '5f0c7a2e-4b1d-4c3e-9f7a-1b2c3d4e5f60', drafted: NOW.getTime() });
    assert.match(draft.text, /3 fields marked `\[to complete: …\]`/);
    assert.match(draft.text, /removed 1 piece of personal data/);
    assert.match(draft.text, /`\/incident breach approve ico`/);
    assert.deepEqual(buttons('approved', 'approved').ids, [BREACH_NOTIFICATION_ACTIONS.withdraw]);
    assert.deepEqual(buttons('sent', 'sent').ids, []);
    assert.deepEqual(buttons('withdrawn', 'withdrawn').ids, []);
  });
  test('a reference typed by a person cannot ping anyone', () => {
    const sent = buttons('sent', 'sent').text;
    assert.ok(!sent.includes('<@U1>'));
    assert.match(sent, /recorded the notification to \*the ICO \(UK GDPR\)\* \(version 2\)/);
  });
});
