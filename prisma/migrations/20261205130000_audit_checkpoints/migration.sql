-- Scheduled audit checkpoints: one row per period, claimed by the replica that takes its checkpoint
-- (a compare-and-set with a lease, so a replica that dies meanwhile leaves the period to another)
-- and marked written once the signed checkpoint is queued for delivery.
-- CreateTable
CREATE TABLE "audit_checkpoint_period" (
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "claimed_until" TIMESTAMPTZ(3) NOT NULL,
    "written_at" TIMESTAMPTZ(3),

    CONSTRAINT "audit_checkpoint_period_pkey" PRIMARY KEY ("period_start")
);
