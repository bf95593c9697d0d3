/**
 * Slack deliveries already handled, shared by every replica, so a delivery Slack sends again
 * (`x-slack-retry-num`) is not handled twice.
 */
export interface DeliveryLog {
  /** Records a delivery by its key; false when it was recorded already (insert, or nothing on conflict). */
  record(key: string, at: Date): Promise<boolean>;
  /** Drops a record: its handling failed before Slack was answered, so Slack's retry must be handled. */
  forget(key: string): Promise<void>;
  /** Deletes the records received before `cutoff` (Slack stops retrying after minutes); returns how many. */
  pruneBefore(cutoff: Date): Promise<number>;
}
