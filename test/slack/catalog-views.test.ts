// The views of declaring with the service catalog: the pinned summary's service (owner, criticality,
// runbooks, dashboards) and recent changes (approvers, freezes, unknown services) within Block Kit's
// limits; the form's service search (its options) and the owner notice.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { ChangeEvent } from '../../src/domain/changes.ts';
import { staticCatalog } from '../../src/ports/service-catalog.ts';
import { searchServices } from '../../src/services/incident/search-services.ts';
import type { ListenerContext } from '../../src/slack/context.ts';
import { answerServiceSearch } from '../../src/slack/listeners/views/declare-incident.ts';
import { declareModal, serviceOption, serviceOptions } from '../../src/slack/views/declare-modal.ts';
import { declareResultText } from '../../src/slack/views/declare-result.ts';
import { incidentSummary, safeUrl } from '../../src/slack/views/incident-summary.ts';
import { aService, catalogOf } from '../support/catalog.ts';
import { testDeps } from '../support/deps.ts';
import { anIncident } from '../support/fixtures.ts';

const at = new Date('2026-11-24T14:00:00Z');

const EHR = aService({
  name: 'ehr-api',
  title: 'EHR API',
  owner: 'group:default/clinical-systems',
  ownerName: 'Clinical systems',
  slackChannel: 'C0CLINSYS1',
  clinicalCriticality: 'patient-facing',
  system: 'ehr',
  links: [
    { url: 'https://runbooks.example.org/ehr', title: 'EHR <runbook>', kind: 'runbook' },
    { url: 'javascript:alert(1)', title: 'Evil runbook', kind: 'runbook' },
    { url: 'https://grafana.example.org/d/ehr|x', title: 'Broken dashboard', kind: 'dashboard' },
    { url: 'https://grafana.example.org/d/ehr', title: 'EHR dashboard', kind: 'dashboard' },
    { url: 'https://example.org/other', title: 'Other', kind: 'other' },
  ],
});

function aChange(o: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    id: randomUUID(),
    sourceKey: randomUUID(),
    source: 'api',
    kind: 'deploy',
    service: 'ehr-api',
    serviceName: 'ehr-api',
    system: 'ehr',
    owner: null,
    environment: 'production',
    version: 'v2.3.1',
    summary: 'Session cache <tuning>',
    author: 'dev-ann',
    approvers: ['lead-bob'],
    url: 'https://github.com/acme/ehr-api/pull/7',
    occurredAt: new Date(at.getTime() - 2 * 3600_000),
    receivedAt: at,
    flagged: false,
    overrideId: null,
    ...o,
  };
}

const textOf = (blocks: unknown) => JSON.stringify(blocks);

test('the summary shows the catalog service: owner and channel, criticality, safe runbook and dashboard links', () => {
  const incident = anIncident({ affectedService: 'ehr-api', serviceOwner: EHR.owner });
  const { blocks } = incidentSummary(incident, 'UTC', at, { service: EHR, changes: [] });
  const all = textOf(blocks);
  assert.match(all, /\*Owner:\* Clinical systems \(<#C0CLINSYS1>\)/);
  assert.match(all, /\*Clinical criticality:\* :hospital: Patient-facing/);
  assert.match(all, /<https:\/\/runbooks.example.org\/ehr\|EHR &lt;runbook&gt;>/);
  assert.match(all, /<https:\/\/grafana.example.org\/d\/ehr\|EHR dashboard>/);
  assert.doesNotMatch(all, /javascript:|Evil runbook|Broken dashboard|example.org\/other/);
  assert.match(all, /\*Recent changes\*.*None recorded/);
  // Without a catalog service or changes: neither section.
  const plain = textOf(incidentSummary(incident, 'UTC', at).blocks);
  assert.doesNotMatch(plain, /Owner:|Recent changes/);
  // A team channel given by name, and nothing in the catalog.
  const bare = aService({ name: 'labs', slackChannel: 'lab-team', owner: null, ownerName: null });
  const bareText = textOf(incidentSummary(incident, 'UTC', at, { service: bare, changes: [] }).blocks);
  assert.match(bareText, /\*Owner:\* _none in the catalog_ \(#lab-team\)/);
  assert.match(bareText, /\*Runbooks:\* _none in the catalog_/);
});

test('only http and https URLs that cannot break a Slack link are linked', () => {
  assert.equal(safeUrl('https://a.example.org/x?y=1'), 'https://a.example.org/x?y=1');
  assert.equal(safeUrl('http://a.example.org'), 'http://a.example.org');
  for (const bad of ['javascript:alert(1)', 'ftp://a.example.org', 'https://a.example.org/>x', 'not a url', null])
    assert.equal(safeUrl(bad), null, String(bad));
});

test('recent changes: time, service, version and summary, who made and approved it, freezes, unknown services', () => {
  const incident = anIncident({ affectedService: 'ehr-api' });
  const changes = [
    aChange({}),
    aChange({ approvers: [], version: null, summary: 'Hotfix', url: 'javascript:x', flagged: true }),
    aChange({ service: 'ehr-db', serviceName: null, author: null, approvers: ['UCAROL'] }),
  ];
  const all = textOf(incidentSummary(incident, 'UTC', at, { service: EHR, changes }).blocks);
  assert.match(all, /<!date\^\d+\^/);
  assert.match(
    all,
    /\*ehr-api\* \(production\) · <https:\/\/github.com\/acme\/ehr-api\/pull\/7\|`v2.3.1` Session cache &lt;tuning&gt;> · by dev-ann · approved by lead-bob/,
  );
  assert.match(all, /Hotfix · by dev-ann · _no approver recorded_ · :warning: landed during a freeze/);
  assert.doesNotMatch(all, /javascript/);
  assert.match(all, /\*ehr-db\* \(unknown service\)/);
  // Names from pipelines are text, never mentions: an approver named like a Slack user is not one.
  assert.match(all, /by _unknown_ · approved by UCAROL/);
  assert.doesNotMatch(all, /<@UCAROL>/);
});

test('change people are escaped text, never mentions (a pipeline cannot fake an approval)', () => {
  const incident = anIncident({ affectedService: 'ehr-api' });
  const changes = [aChange({ author: 'U0CEO123', approvers: ['<@U0CEO123>', '<!channel>', 'W0ADMIN1'] })];
  const all = textOf(incidentSummary(incident, 'UTC', at, { service: EHR, changes }).blocks);
  assert.match(all, /by U0CEO123 · approved by &lt;@U0CEO123&gt;, &lt;!channel&gt;, W0ADMIN1/);
  assert.doesNotMatch(all, /<@U0CEO123>|<@W0ADMIN1>|<!channel>/);
});

test('recent changes: the 24 hours before the declaration first, then those since, each labelled', () => {
  const incident = anIncident({ affectedService: 'ehr-api' });
  const before = [aChange({ summary: 'Suspect deploy' })];
  const since = [aChange({ summary: 'Rollback' }), aChange({ summary: 'Fix forward' })];
  const all = textOf(
    incidentSummary(incident, 'UTC', at, { service: EHR, changes: before, changesSince: since }).blocks,
  );
  assert.match(
    all,
    /\*Recent changes\*\\n_In the 24 hours before it was declared:_\\n• [^\\]*Suspect deploy[^\\]*\\n_Since it was declared:_\\n• [^\\]*Rollback[^\\]*\\n• [^\\]*Fix forward/,
  );
  // Nothing since: no empty group; nothing before: said so.
  const none = textOf(incidentSummary(incident, 'UTC', at, { service: EHR, changes: [] }).blocks);
  assert.match(none, /_In the 24 hours before it was declared:_\\n_None recorded._/);
  assert.doesNotMatch(none, /Since it was declared/);
});

test('the summary shows the incident’s own freezes and unused overrides beside the SEV1 freeze', () => {
  const incident = anIncident({ affectedService: 'ehr-api' });
  const all = textOf(
    incidentSummary(incident, 'UTC', at, {
      service: null,
      changes: [],
      freezes: [
        { scope: 'ehr-api', reason: 'DB failover <now>' },
        { scope: '*', reason: 'Everything' },
      ],
      overrides: [{ service: 'lab-results' }],
    }).blocks,
  );
  assert.match(all, /:ice_cube: Change freeze on ehr-api: DB failover &lt;now&gt;/);
  assert.match(all, /:ice_cube: Change freeze on every service: Everything/);
  assert.match(all, /:unlock: Override not used yet: one deployment of lab-results may go through/);
  const plain = textOf(incidentSummary(incident, 'UTC', at, { service: null, changes: [] }).blocks);
  assert.doesNotMatch(plain, /Change freeze|Override/);
});

test('the summary keeps within Block Kit limits however long the catalog and change texts are', () => {
  const long = 'x'.repeat(5000);
  const service = aService({
    name: 'big',
    title: long,
    ownerName: long,
    links: Array.from({ length: 40 }, (_, n) => ({
      url: `https://example.org/${n}/${'y'.repeat(300)}`,
      title: long,
      kind: 'runbook' as const,
    })),
  });
  const changes = Array.from({ length: 50 }, () =>
    aChange({ summary: long, version: long, approvers: Array.from({ length: 30 }, () => long), author: long }),
  );
  const { blocks } = incidentSummary(anIncident({ description: long }), 'UTC', at, { service, changes });
  assert.ok(blocks.length <= 50);
  for (const b of blocks) {
    const texts = [
      (b as { text?: { text?: string } }).text?.text,
      ...((b as { fields?: { text: string }[] }).fields ?? []).map((f) => f.text),
      ...((b as { elements?: { text?: string }[] }).elements ?? []).map((e) => e.text),
    ].filter((t): t is string => typeof t === 'string');
    for (const t of texts) assert.ok(t.length <= 3000, `${b.type} text of ${t.length} characters`);
  }
});

test('the service search answers Slack’s block_suggestion with up to 100 services, Title (name), patient-facing marked', async () => {
  const services = [
    EHR,
    ...Array.from({ length: 120 }, (_, n) => aService({ name: `svc-${String(n).padStart(3, '0')}`, title: null })),
  ];
  const ctx = { deps: testDeps({ catalog: staticCatalog(catalogOf(...services)) }) } as unknown as ListenerContext;
  const answers: unknown[] = [];
  const ask = (body: unknown) => answerServiceSearch(ctx, { body, ack: async (a) => void answers.push(a) });
  const suggestion = (value: string, o: Record<string, unknown> = {}) => ({
    type: 'block_suggestion',
    user: { id: 'UALICE' },
    action_id: 'service_input',
    block_id: 'service',
    value,
    ...o,
  });

  await ask(suggestion(''));
  const all = answers.pop() as { options: { text: { text: string }; value: string }[] };
  assert.equal(all.options.length, 100);
  await ask(suggestion('ehr'));
  const ehr = answers.pop() as typeof all;
  assert.deepEqual(ehr.options[0], {
    text: { type: 'plain_text', text: ':hospital: EHR API (ehr-api)', emoji: true },
    value: 'ehr-api',
  });
  // Anything else, or a malformed payload: no options, never a crash.
  await ask(suggestion('ehr', { action_id: 'other' }));
  await ask({ type: 'block_suggestion', user: { id: 'U1' }, value: 42 });
  await ask(null);
  assert.deepEqual(answers, [{ options: [] }, { options: [] }, { options: [] }]);
  // The option text stays within Slack's 75 characters.
  assert.ok(serviceOption(aService({ name: 'n', title: 'T'.repeat(200) })).text.text.length <= 75);
  assert.equal(serviceOptions(services).options.length, 100);
  assert.deepEqual(
    searchServices(ctx.deps, '  ', 3).map((s) => s.name),
    ['ehr-api', 'svc-000', 'svc-001'],
  );
});

test('the form: a catalog search with its advice when a catalog is configured, free text otherwise', () => {
  const meta = { responseUrl: null, channelId: null };
  const field = (catalog: boolean) =>
    declareModal(meta, { catalog }).blocks.find((b) => b.block_id === 'service') as {
      element: { type: string };
      hint?: { text: string };
    };
  assert.equal(field(false).element.type, 'plain_text_input');
  assert.equal(field(true).element.type, 'external_select');
  assert.match(field(true).hint!.text, /Patient-facing services \(:hospital:\) should be SEV2 or higher/);
});

test('the declare reply carries the patient-facing advice', () => {
  const incident = anIncident({ severity: 'SEV3' });
  const text = declareResultText({
    duplicate: false,
    outcome: { state: 'complete', incident, warnings: [] },
    advice: [':hospital: EHR API is patient-facing: consider SEV2 or higher'],
  });
  assert.match(text, /Declared INC-42 \(SEV3\).*EHR API is patient-facing/);
});
