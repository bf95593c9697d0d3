// Signed audit checkpoints (src/domain/audit-checkpoint.ts), taken on a schedule and when an
// incident closes, and written outside the database: a folder (AUDIT_CHECKPOINT_DIR) and/or an audit
// Slack channel (AUDIT_CHANNEL).
//
// As pg-boss jobs on the reminder queue's boss, so that a failure is retried, by this replica or
// another, and never reaches the request that asked (closing an incident):
// - `audit-checkpoint-take` reads the heads in one snapshot, signs them and queues one delivery per
//   destination in one insert. A scheduled one first claims its period (compare-and-set with a
//   lease in audit_checkpoint_period), so with any number of replicas each period gets one
//   checkpoint; a replica that dies holding the claim leaves it to the next tick once the lease ends.
// - `audit-checkpoint-deliver` writes one checkpoint to one destination; a failure is logged and
//   retried with growing delays (about a day in all), the checkpoint's text unchanged.
//
// Every replica ticks (at start, then every few minutes): the current period's checkpoint is queued
// unless it is written already. Periods are aligned on the Unix epoch (daily: midnight UTC).
import type { Job, PgBoss } from 'pg-boss';
import type pg from 'pg';
import { actingAs } from '../audit-context.ts';
import { z } from 'zod';
import {
  CheckpointError,
  checkpointFilename,
  checkpointMessage,
  checkpointTriggerSchema,
  readCheckpoint,
  type CheckpointSigner,
  type CheckpointTrigger,
} from '../domain/audit-checkpoint.ts';
import { PgCheckpointPeriods } from '../db/pg-checkpoint-periods.ts';
import type { CheckpointPeriods } from '../ports/checkpoint-periods.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { takeAuditCheckpoint } from '../services/audit/take-audit-checkpoint.ts';
import { writeCheckpointFile } from './checkpoint-folder.ts';

export const CHECKPOINT_TAKE_QUEUE = 'audit-checkpoint-take';
export const CHECKPOINT_DELIVER_QUEUE = 'audit-checkpoint-deliver';

interface TakeJob {
  trigger: CheckpointTrigger;
}

interface DeliverJob {
  destination: 'folder' | 'channel';
  /** The signed checkpoint file's text. */
  json: string;
}

// Jobs are rows in the database, which whoever the checkpoints guard against can write: each is
// checked when it is read. A delivery carries only the signed text, which must verify under the
// bot's own key before anything is written; the file name and message are made from what verified,
// so a job cannot put a file outside the folder, nor anything unsigned in it or in the channel.
const takeJob = z.object({ trigger: checkpointTriggerSchema });
const deliverJob = z.object({ destination: z.enum(['folder', 'channel']), json: z.string().max(256 * 1024 * 1024) });

/** How often and how soon a failed checkpoint job is retried (about a day in all). */
const DEFAULT_RETRY = { retryLimit: 11, retryDelay: 30, retryBackoff: true };

/**
 * Creates the checkpoint queues if they are not there. The first creation is DDL (a pg-boss
 * partition), so with least-privilege roles the owner does it (installReminderQueue); after that
 * it only finds them.
 */
export async function createCheckpointQueues(boss: PgBoss, retry: typeof DEFAULT_RETRY = DEFAULT_RETRY): Promise<void> {
  const queueOptions = { policy: 'standard' as const, ...retry, expireInSeconds: 5 * 60 };
  await boss.createQueue(CHECKPOINT_TAKE_QUEUE, queueOptions);
  await boss.createQueue(CHECKPOINT_DELIVER_QUEUE, queueOptions);
}

/** Asks for a checkpoint (ServiceDeps.auditCheckpoints): queued, taken in the background. */
export interface AuditCheckpointRequests {
  request(trigger: CheckpointTrigger): Promise<void>;
}

export interface AuditCheckpoints extends AuditCheckpointRequests {
  /** Queues the current period's scheduled checkpoint unless it is written (every replica, on a timer). */
  tick(): Promise<void>;
  /** Stops the timer and waits for a tick in progress; jobs fetched from now on fail and are retried later (the boss is stopped by its owner). */
  stop(): Promise<void>;
}

export interface AuditCheckpointOptions {
  boss: PgBoss;
  pool: pg.Pool;
  deps: Pick<ServiceDeps, 'audit' | 'chat' | 'clock' | 'logger'>;
  signer: CheckpointSigner;
  /** AUDIT_CHECKPOINT_DIR, AUDIT_CHANNEL: at least one. */
  dir: string | null;
  channelId: string | null;
  /** AUDIT_CHECKPOINT_HOURS. */
  periodHours: number;
  /** ms between ticks (default: 5 minutes, or the period if shorter); 0: no timer, tick() only. */
  tickEveryMs?: number;
  /** Seconds before a failed job's first retry (default 30, doubling). */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  pollingIntervalSeconds?: number;
  periods?: CheckpointPeriods;
}

/** How long a replica may hold a period's claim while it takes the checkpoint. */
const CLAIM_LEASE_MS = 5 * 60_000;

export async function startAuditCheckpoints(opts: AuditCheckpointOptions): Promise<AuditCheckpoints> {
  const { boss, deps } = opts;
  const periods = opts.periods ?? new PgCheckpointPeriods(opts.pool);
  const periodMs = opts.periodHours * 3_600_000;
  const retry = {
    ...DEFAULT_RETRY,
    retryDelay: opts.retryDelaySeconds ?? DEFAULT_RETRY.retryDelay,
    retryBackoff: opts.retryBackoff ?? DEFAULT_RETRY.retryBackoff,
  };
  const destinations: DeliverJob['destination'][] = [
    ...(opts.dir ? ['folder' as const] : []),
    ...(opts.channelId ? ['channel' as const] : []),
  ];
  if (destinations.length === 0) throw new Error('audit checkpoints need AUDIT_CHECKPOINT_DIR or AUDIT_CHANNEL');
  let stopping = false;

  async function take(trigger: CheckpointTrigger): Promise<void> {
    const taken = await takeAuditCheckpoint(deps, opts.signer, trigger);
    // One statement: every destination's delivery is queued, or none is (and this job is retried).
    await boss.insert(
      CHECKPOINT_DELIVER_QUEUE,
      destinations.map((destination) => ({ data: { destination, json: taken.json } satisfies DeliverJob, ...retry })),
    );
    deps.logger.info(
      { trigger, heads: taken.checkpoint.heads.length, filename: taken.filename, destinations },
      'audit checkpoint taken',
    );
  }

  async function takeScheduled(period: Date): Promise<void> {
    if (!(await periods.claim(period, CLAIM_LEASE_MS))) return; // written already, or another replica holds it
    try {
      await take({ kind: 'schedule', period: period.toISOString() });
      await periods.markWritten(period);
    } catch (err) {
      await periods.release(period).catch(() => {});
      throw err;
    }
  }

  async function deliver(job: DeliverJob): Promise<void> {
    const checkpoint = readCheckpoint(job.json, opts.signer.publicKey);
    const filename = checkpointFilename(checkpoint);
    if (job.destination === 'folder' && opts.dir) {
      const file = await writeCheckpointFile(opts.dir, filename, job.json);
      deps.logger.info({ file }, 'audit checkpoint written');
    } else if (job.destination === 'channel' && opts.channelId) {
      await deps.chat.uploadFile(opts.channelId, {
        filename,
        title: filename,
        content: job.json,
        comment: checkpointMessage(checkpoint),
      });
      deps.logger.info({ channelId: opts.channelId, filename }, 'audit checkpoint posted');
    } else {
      deps.logger.warn(
        { destination: job.destination },
        'audit checkpoint for a destination no longer configured: dropped',
      );
    }
  }

  /** A job that is not what this module queues is logged and dropped (retrying cannot make it one). */
  function checked<T>(schema: z.ZodType<T>, data: unknown, queue: string): T | null {
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    deps.logger.error({ queue, problem: parsed.error.issues[0]?.message }, 'malformed audit checkpoint job: dropped');
    return null;
  }

  await createCheckpointQueues(boss, retry);
  const workOptions = {
    batchSize: 1,
    ...(opts.pollingIntervalSeconds !== undefined ? { pollingIntervalSeconds: opts.pollingIntervalSeconds } : {}),
  };
  await boss.work<unknown>(CHECKPOINT_TAKE_QUEUE, workOptions, async (jobs: Job<unknown>[]) => {
    for (const job of jobs) {
      if (stopping) throw new Error('audit checkpoints stopping');
      const data = checked(takeJob, job.data, CHECKPOINT_TAKE_QUEUE);
      if (!data) continue;
      const trigger = data.trigger;
      try {
        await actingAs({ actor: 'bot', via: 'audit checkpoint' }, () =>
          trigger.kind === 'schedule' ? takeScheduled(new Date(trigger.period)) : take(trigger),
        );
      } catch (err) {
        deps.logger.error({ err, trigger }, 'audit checkpoint could not be taken: retried later');
        throw err;
      }
    }
  });
  await boss.work<unknown>(CHECKPOINT_DELIVER_QUEUE, workOptions, async (jobs: Job<unknown>[]) => {
    for (const job of jobs) {
      if (stopping) throw new Error('audit checkpoints stopping');
      const data = checked(deliverJob, job.data, CHECKPOINT_DELIVER_QUEUE);
      if (!data) continue;
      try {
        await deliver(data);
      } catch (err) {
        if (err instanceof CheckpointError) {
          deps.logger.error(
            { destination: data.destination, problem: err.message },
            'audit checkpoint job whose checkpoint does not verify under this key: dropped',
          );
          continue;
        }
        deps.logger.error(
          { err, destination: data.destination },
          'audit checkpoint could not be written: retried later',
        );
        throw err;
      }
    }
  });

  const tick = async () => {
    const period = new Date(Math.floor(deps.clock.now().getTime() / periodMs) * periodMs);
    if (await periods.isWritten(period)) return;
    await boss.send(
      CHECKPOINT_TAKE_QUEUE,
      { trigger: { kind: 'schedule', period: period.toISOString() } } satisfies TakeJob,
      retry,
    );
  };
  const every = opts.tickEveryMs ?? Math.min(periodMs, 5 * 60_000);
  let ticking: Promise<void> | null = null;
  const safeTick = () =>
    (ticking ??= tick()
      .catch((err: unknown) =>
        deps.logger.error({ err }, 'audit checkpoint schedule failed: tried again at the next tick'),
      )
      .finally(() => (ticking = null)));
  const timer = every > 0 ? setInterval(() => void safeTick(), every) : null;
  timer?.unref();
  if (every > 0) void safeTick();

  return {
    async request(trigger) {
      await boss.send(CHECKPOINT_TAKE_QUEUE, { trigger } satisfies TakeJob, retry);
    },
    tick,
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      await ticking;
    },
  };
}
