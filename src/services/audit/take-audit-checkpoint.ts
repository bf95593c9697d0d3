import {
  checkpointFilename,
  checkpointJson,
  checkpointMessage,
  signCheckpoint,
  type Checkpoint,
  type CheckpointSigner,
  type CheckpointTrigger,
} from '../../domain/audit-checkpoint.ts';
import type { ServiceDeps } from '../deps.ts';

export interface TakenCheckpoint {
  checkpoint: Checkpoint;
  /** The file's name and text. */
  filename: string;
  json: string;
  /** What goes with it in the audit channel. */
  message: string;
}

/** Reads every chain head in one snapshot and signs it (the key never leaves the process). */
export async function takeAuditCheckpoint(
  deps: Pick<ServiceDeps, 'audit' | 'clock'>,
  signer: CheckpointSigner,
  trigger: CheckpointTrigger,
): Promise<TakenCheckpoint> {
  const snapshot = await deps.audit.snapshot();
  const checkpoint = signCheckpoint(snapshot, { createdAt: deps.clock.now(), trigger, signer });
  return {
    checkpoint,
    filename: checkpointFilename(checkpoint),
    json: checkpointJson(checkpoint),
    message: checkpointMessage(checkpoint),
  };
}
