import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalEntry,
  chainHash,
  chainProblems,
  GENESIS_HASH,
  type ChainEntry,
} from '../../src/domain/audit-chain.ts';

function chain(n: number): ChainEntry[] {
  const out: ChainEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const canonical = JSON.stringify({ seq, text: `change ${seq}` });
    const hash = chainHash(prev, canonical);
    out.push({ seq, prevHash: prev, hash, canonical });
    prev = hash;
  }
  return out;
}
const headOf = (c: ChainEntry[]) => ({ seq: c.at(-1)!.seq, hash: c.at(-1)!.hash });

test('chainHash is sha256 of the previous hash followed by the canonical text', () => {
  // sha256('000…0' + 'x'), worked out independently of the code under test.
  assert.equal(chainHash(GENESIS_HASH, 'x'), '88258fac11427f77c0b241fa14c18fd1d18af298ddc686bb0d60b148a59ce546');
  assert.notEqual(chainHash(GENESIS_HASH, 'x'), chainHash(GENESIS_HASH, 'y'));
  assert.notEqual(chainHash('1'.repeat(64), 'x'), chainHash(GENESIS_HASH, 'x'));
});

test('an intact chain and its head have no problems; an empty chain without a head neither', () => {
  const c = chain(5);
  assert.deepEqual(chainProblems(c, headOf(c)), []);
  assert.deepEqual(chainProblems([], null), []);
});

test('an altered entry, a removed middle entry, a removed last entry and a missing head are each named', () => {
  const altered = chain(4);
  altered[1] = { ...altered[1]!, canonical: altered[1]!.canonical.replace('change 2', 'change two') };
  assert.deepEqual(chainProblems(altered, headOf(altered)), [
    'entry 2 was altered (its hash does not match its content)',
  ]);

  const full = chain(4);
  const gap = [full[0]!, full[2]!, full[3]!];
  assert.deepEqual(chainProblems(gap, headOf(full)), [
    'entries 2–2 are missing',
    'entry 3 does not follow the entry before it (prev_hash differs)',
  ]);

  const tail = full.slice(0, 3);
  assert.deepEqual(chainProblems(tail, headOf(full)), ['entries after 3 up to 4 are missing (the head names entry 4)']);
  assert.deepEqual(chainProblems(full, null), ['the chain has no head record']);
  // A rehashed entry (content and hash both changed) still breaks the link to the next one.
  const rehashed = chain(3);
  const canonical = rehashed[0]!.canonical.replace('change 1', 'forged');
  rehashed[0] = { ...rehashed[0]!, canonical, hash: chainHash(GENESIS_HASH, canonical) };
  assert.deepEqual(chainProblems(rehashed, headOf(rehashed)), [
    'entry 2 does not follow the entry before it (prev_hash differs)',
  ]);
});

test('the canonical text orders keys as jsonb prints them; db_role and claimed_actor are in it only when set', () => {
  const columns = {
    incidentId: '6f1c1f0e-0000-4000-8000-000000000001',
    seq: 3,
    atText: '2026-12-05T12:00:00.123456Z',
    actor: 'UALICE',
    via: '/incident sev',
    action: 'incident.update',
    rowKey: '6f1c1f0e-0000-4000-8000-000000000001',
    beforeText: '{"severity": "SEV2"}',
    afterText: '{"severity": "SEV1"}',
  };
  // The text entries written before roles were recorded were hashed with: unchanged.
  const old =
    '{"at": "2026-12-05T12:00:00.123456Z", "seq": 3, "via": "/incident sev", "actor": "UALICE", "after": {"severity": "SEV1"}, ' +
    '"action": "incident.update", "before": {"severity": "SEV2"}, "row_key": "6f1c1f0e-0000-4000-8000-000000000001", ' +
    '"incident_id": "6f1c1f0e-0000-4000-8000-000000000001"}';
  assert.equal(canonicalEntry(columns), old);
  assert.equal(canonicalEntry({ ...columns, dbRole: null, claimedActor: null }), old);
  // db_role (7 characters) sorts before row_key; claimed_actor (13) after incident_id.
  assert.equal(
    canonicalEntry({ ...columns, actor: 'db:mallory', dbRole: 'mallory', claimedActor: 'UALICE' }),
    '{"at": "2026-12-05T12:00:00.123456Z", "seq": 3, "via": "/incident sev", "actor": "db:mallory", "after": {"severity": "SEV1"}, ' +
      '"action": "incident.update", "before": {"severity": "SEV2"}, "db_role": "mallory", "row_key": "6f1c1f0e-0000-4000-8000-000000000001", ' +
      '"incident_id": "6f1c1f0e-0000-4000-8000-000000000001", "claimed_actor": "UALICE"}',
  );
  // So changing or removing either changes the hash.
  const withRole = canonicalEntry({ ...columns, dbRole: 'incident_bot' });
  assert.notEqual(withRole, old);
  assert.notEqual(withRole, canonicalEntry({ ...columns, dbRole: 'incident_owner' }));
  assert.match(canonicalEntry({ ...columns, dbRole: 'we"ird\\role' }), /"db_role": "we\\"ird\\\\role"/);
});
