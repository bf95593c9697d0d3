// The evidence pack shows a change made by a session that was not the bot's role as that role, with
// the actor it claimed marked as a claim, never as who acted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../src/domain/audit-chain.ts';
import { buildEvidence, evidenceToJson, evidenceToMarkdown } from '../../src/domain/evidence.ts';
import { anIncident } from '../support/fixtures.ts';

test('an entry from another database role is shown as that role, with its claimed actor as a claim', () => {
  const base = {
    at: new Date('2026-12-05T12:00:00Z'),
    via: '/incident title',
    action: 'incident.update',
    rowKey: 'i',
    before: { title: 'a' },
    after: { title: 'b' },
    prevHash: '0'.repeat(64),
    hash: 'f'.repeat(64),
  };
  const audit: AuditRecord[] = [
    { ...base, seq: 1, actor: 'UBOB', dbRole: 'incident_bot', claimedActor: null },
    { ...base, seq: 2, actor: 'db:mallory', dbRole: 'mallory', claimedActor: 'UALICE' },
  ];
  const pack = buildEvidence({
    incident: anIncident(),
    timeline: [],
    pagerDuty: [],
    review: null,
    actionItems: [],
    audit,
    auditProblems: [],
    generatedAt: new Date('2026-12-05T13:00:00Z'),
    generatedBy: 'UBOB',
  });
  const md = evidenceToMarkdown(pack, 'UTC');
  assert.match(md, /\| 1 \| [^|]+ \| UBOB \|/);
  assert.match(md, /\| 2 \| [^|]+ \| db:mallory \(claimed UALICE\) \|/);
  assert.doesNotMatch(md, /\| 2 \| [^|]+ \| UALICE \|/);
  const json = JSON.parse(evidenceToJson(pack));
  assert.deepEqual(
    json.auditTrail.entries.map((e: AuditRecord) => [e.actor, e.dbRole, e.claimedActor]),
    [
      ['UBOB', 'incident_bot', null],
      ['db:mallory', 'mallory', 'UALICE'],
    ],
  );
});
