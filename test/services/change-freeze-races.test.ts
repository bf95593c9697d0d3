// The SEV1 change freeze under concurrency, on the real store (PGlite, and the PostgreSQL server when
// TEST_DATABASE_URL is set): declaring a SEV1 while its freeze notice is slow, and the commander
// downgrading, going back to SEV1, resolving or reopening before, during and after that notice. A
// chat stand-in holds a chosen post open until the test lets it go, so every interleaving is
// deterministic. At every end: the freeze is on exactly while the incident is SEV1 and active, the
// broadcast channel's freeze notices alternate (in effect, lifted, …) and end on the current state,
// no notice is posted twice, and the pinned summary shows the freeze exactly when it is on.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import type { Incident } from '../../src/domain/incident.ts';
import type { Severity } from '../../src/domain/severity.ts';
import type { Database } from '../../src/db/database.ts';
import type { Notice } from '../../src/ports/chat-platform.ts';
import { changeSeverity } from '../../src/services/incident/change-severity.ts';
import { declareIncident } from '../../src/services/incident/declare-incident.ts';
import { sendOwedNoticesPass } from '../../src/services/owed-notices.ts';
import { reopenIncident } from '../../src/services/incident/reopen-incident.ts';
import { resolveIncident } from '../../src/services/incident/resolve-incident.ts';
import { setClinicalImpact } from '../../src/services/incident/set-clinical-impact.ts';
import { testDatabases, useTestStore } from '../support/databases.ts';
import { FakeChat, testDeps } from '../support/deps.ts';

const BROADCAST = 'CBROADCAST';
const CLINICAL = 'CCLINICAL';
const ALICE = 'UALICE';

/** A post (or a summary redraw) held open until `release()`; `reached` resolves when the bot has started it. */
interface Hold {
  reached: Promise<void>;
  release(): void;
  fail(err: Error): void;
}

function harness(db: Database) {
  const holds = new Map<string, Hold & { gate: Promise<void> }>();
  /** Holds the next post of `kind` (a notice kind, or 'announce', 'pin') until released. */
  function hold(kind: string): Hold {
    const reached = Promise.withResolvers<void>();
    const gate = Promise.withResolvers<void>();
    const h = {
      reached: reached.promise,
      gate: gate.promise,
      release: () => gate.resolve(),
      fail: (err: Error) => gate.reject(err),
      arrive: () => reached.resolve(),
    };
    holds.set(kind, h as Hold & { gate: Promise<void> });
    return h;
  }
  async function passHold(kind: string) {
    const h = holds.get(kind) as (Hold & { gate: Promise<void>; arrive(): void }) | undefined;
    if (!h) return;
    holds.delete(kind);
    h.arrive();
    await h.gate;
  }
  const chat = new FakeChat();
  // A notice is held by its kind; a summary redraw, a pin and the announcement by their step.
  chat.before = async (method, args) => {
    if (method === 'notify') await passHold((args[1] as Notice).kind);
    if (method === 'updateSummary') await passHold('summary');
    if (method === 'pinMessage') await passHold('pin');
    if (method === 'announce') await passHold('announce');
  };
  const deps = testDeps({ db, chat, settings: { broadcastChannelId: BROADCAST, clinicalSafetyChannelId: CLINICAL } });
  const posts = () => chat.notices.map((n) => ({ channel: n.channelId, kind: n.notice.kind }));
  const freezeNotices = () =>
    posts()
      .filter((p) => p.channel === BROADCAST && p.kind.startsWith('freeze-'))
      .map((p) => p.kind);
  return {
    deps,
    get posts() {
      return posts();
    },
    /** The freeze state each summary drawing showed, in order (post and updates). */
    get summaries() {
      return chat.summaries.map((s) => s.incident.freezeActive);
    },
    hold,
    freezeNotices,
  };
}

type H = ReturnType<typeof harness>;

async function declare(h: H, severity: Severity, opts: { clinical?: boolean } = {}) {
  const result = await declareIncident(h.deps, {
    declareKey: randomUUID(),
    declaration: { title: 'Theatre scheduling down', severity, clinicalImpact: opts.clinical ?? false },
    declaredBy: ALICE,
    originChannelId: null,
    responseUrl: null,
    via: 'command',
  });
  if (result.duplicate) throw new Error('declared twice');
  assert.equal(result.outcome.state, 'complete', JSON.stringify(result.outcome));
  return result.outcome.incident;
}

/** Starts declaring and waits until provisioning has reached the held post. */
async function declaring(h: H, severity: Severity, held: Hold, opts: { clinical?: boolean } = {}) {
  const done = declare(h, severity, opts);
  await held.reached;
  // The incident just declared: the newest (numbers grow), set up as far as the held post.
  const incident = (await h.deps.store.listActive()).sort((a, b) => b.number - a.number)[0]!;
  return { done, incident };
}

const sev = (h: H, i: Incident, severity: Severity) =>
  changeSeverity(h.deps, { channelId: i.channelId!, userId: ALICE, severity, reason: null });
const resolve = (h: H, i: Incident) =>
  resolveIncident(h.deps, { channelId: i.channelId!, userId: ALICE, summary: null });
const reopen = (h: H, i: Incident) => reopenIncident(h.deps, { channelId: i.channelId!, userId: ALICE, reason: null });

/** The promises of the issue: checked at every end state. */
async function assertConsistent(h: H, id: string, expected: { freeze: boolean; notices: string[] }) {
  const i = (await h.deps.store.findById(id))!;
  const active = i.status !== 'RESOLVED' && i.status !== 'CLOSED';
  assert.equal(
    i.freezeActive,
    i.severity === 'SEV1' && active,
    `freeze_active == (SEV1 and active): ${i.severity} ${i.status} ${i.freezeActive}`,
  );
  assert.equal(i.freezeActive, expected.freeze);
  assert.equal(i.freezeAnnounced, i.freezeActive, 'the broadcast channel was told the current state');
  const notices = h.freezeNotices();
  assert.deepEqual(notices, expected.notices, 'freeze notices, in order');
  for (const [n, k] of notices.entries())
    assert.equal(k, n % 2 === 0 ? 'freeze-started' : 'freeze-lifted', `notices alternate: ${notices.join(', ')}`);
  assert.equal(
    h.summaries.at(-1),
    i.freezeActive,
    `the summary shows the freeze iff it is on (drawn: ${h.summaries.join(', ')})`,
  );
  // Every write on the way (the freeze decided in SQL, the notice lease) is in the audit trail.
  assert.deepEqual((await h.deps.audit.verify(id)).problems, []);
  return i;
}

for (const database of testDatabases()) {
  describe(`change freeze races (${database.name})`, () => {
    const env = useTestStore(database);
    let h: H;
    beforeEach(() => {
      h = harness(env.db());
    });

    test('a downgrade while the freeze notice of a SEV1 declaration is slow ends the freeze, and its lift is told after it', async () => {
      const held = h.hold('freeze-started');
      const { done, incident } = await declaring(h, 'SEV1', held);
      const downgraded = await sev(h, incident, 'SEV2');
      assert.equal(downgraded.freezeActive, false);
      held.release();
      await done;
      await assertConsistent(h, incident.id, { freeze: false, notices: ['freeze-started', 'freeze-lifted'] });
      // Back to SEV1: a new freeze is announced.
      await sev(h, incident, 'SEV1');
      await assertConsistent(h, incident.id, {
        freeze: true,
        notices: ['freeze-started', 'freeze-lifted', 'freeze-started'],
      });
      await resolve(h, incident);
      await assertConsistent(h, incident.id, {
        freeze: false,
        notices: ['freeze-started', 'freeze-lifted', 'freeze-started', 'freeze-lifted'],
      });
    });

    test('a downgrade before the freeze step: no freeze at all', async () => {
      const held = h.hold('announce');
      const { done, incident } = await declaring(h, 'SEV1', held);
      await sev(h, incident, 'SEV2');
      held.release();
      await done;
      await assertConsistent(h, incident.id, { freeze: false, notices: [] });
      await sev(h, incident, 'SEV1');
      await assertConsistent(h, incident.id, { freeze: true, notices: ['freeze-started'] });
    });

    test('down and back to SEV1 while the notice is slow: one freeze, announced once', async () => {
      const held = h.hold('freeze-started');
      const { done, incident } = await declaring(h, 'SEV1', held);
      await sev(h, incident, 'SEV2');
      await sev(h, incident, 'SEV1');
      held.release();
      await done;
      await assertConsistent(h, incident.id, { freeze: true, notices: ['freeze-started'] });
    });

    test('resolved while the notice is slow: lifted after it; reopened: frozen again', async () => {
      const held = h.hold('freeze-started');
      const { done, incident } = await declaring(h, 'SEV1', held);
      await resolve(h, incident);
      held.release();
      await done;
      await assertConsistent(h, incident.id, { freeze: false, notices: ['freeze-started', 'freeze-lifted'] });
      await reopen(h, incident);
      await assertConsistent(h, incident.id, {
        freeze: true,
        notices: ['freeze-started', 'freeze-lifted', 'freeze-started'],
      });
    });

    test('a downgrade after the freeze step lifts it; back to SEV1 while the lift is slow freezes again, in order', async () => {
      const incident = await declare(h, 'SEV1');
      await assertConsistent(h, incident.id, { freeze: true, notices: ['freeze-started'] });
      const held = h.hold('freeze-lifted');
      const lifting = sev(h, incident, 'SEV2');
      await held.reached;
      await sev(h, incident, 'SEV1');
      held.release();
      await lifting;
      await assertConsistent(h, incident.id, {
        freeze: true,
        notices: ['freeze-started', 'freeze-lifted', 'freeze-started'],
      });
    });

    test('a slow summary redraw overtaken by a later change never leaves the older state pinned', async () => {
      const incident = await declare(h, 'SEV1');
      const held = h.hold('summary');
      const downgrading = sev(h, incident, 'SEV2');
      await held.reached; // drawing the SEV2 state, slowly
      await sev(h, incident, 'SEV1'); // back to SEV1 meanwhile
      held.release();
      await downgrading;
      // The freeze never ended as far as anyone was told: no lift, no second "in effect".
      await assertConsistent(h, incident.id, { freeze: true, notices: ['freeze-started'] });
    });

    test('a freeze notice that failed stays owed and is posted by the background pass', async () => {
      const incident = await declare(h, 'SEV1');
      const held = h.hold('freeze-lifted');
      const lifting = sev(h, incident, 'SEV2');
      await held.reached;
      held.fail(new Error('slack down'));
      await lifting; // the change is recorded; the notice failed
      const owed = (await h.deps.store.findById(incident.id))!;
      assert.deepEqual([owed.freezeActive, owed.freezeAnnounced], [false, true], 'the lift is owed');
      assert.equal(await sendOwedNoticesPass(h.deps), 1);
      await assertConsistent(h, incident.id, { freeze: false, notices: ['freeze-started', 'freeze-lifted'] });
      assert.equal(await sendOwedNoticesPass(h.deps), 0, 'nothing owed any more');
    });

    test('clinical impact raised again while the declaration’s clinical-safety alert is slow: alerted once', async () => {
      const held = h.hold('clinical-safety-alert');
      const { done, incident } = await declaring(h, 'SEV2', held, { clinical: true });
      await setClinicalImpact(h.deps, { channelId: incident.channelId!, userId: ALICE, on: false });
      await setClinicalImpact(h.deps, { channelId: incident.channelId!, userId: ALICE, on: true });
      held.release();
      await done;
      assert.equal(h.posts.filter((p) => p.kind === 'clinical-safety-alert').length, 1, 'one alert');
      assert.ok((await h.deps.store.findById(incident.id))!.clinicalNotifiedAt);
    });
  });
}
