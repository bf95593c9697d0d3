-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "freeze_announced" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "notice_lock_until" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "timeline_entry" ADD COLUMN     "pagerduty_event_id" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "timeline_entry_pagerduty_event_id_key" ON "timeline_entry"("pagerduty_event_id");

-- A freeze in effect until now was announced when it was recorded.
UPDATE "incident" SET "freeze_announced" = true WHERE "freeze_active";

-- A freeze that outlived a downgrade or a resolve (the race this migration closes) ends here; the
-- bot's background pass then posts its "lifted" notice.
UPDATE "incident" SET "freeze_active" = false
  WHERE "freeze_active" AND ("severity" <> 'SEV1' OR "status" IN ('RESOLVED', 'CLOSED') OR "near_miss");
