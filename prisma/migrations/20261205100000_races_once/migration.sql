-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "freeze_announced" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "notice_lock_until" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "timeline_entry" ADD COLUMN     "pagerduty_event_id" TEXT;

-- CreateTable
CREATE TABLE "summary_redraw" (
    "incident_id" UUID NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "drawn" INTEGER NOT NULL DEFAULT 0,
    "lock_until" TIMESTAMPTZ(3),

    CONSTRAINT "summary_redraw_pkey" PRIMARY KEY ("incident_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "timeline_entry_pagerduty_event_id_key" ON "timeline_entry"("pagerduty_event_id");

-- AddForeignKey
ALTER TABLE "summary_redraw" ADD CONSTRAINT "summary_redraw_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A freeze in effect until now was announced when it was recorded.
UPDATE "incident" SET "freeze_announced" = true WHERE "freeze_active";

-- A freeze that outlived a downgrade or a resolve (the race this migration closes) ends here; the
-- bot's background pass then posts its "lifted" notice.
UPDATE "incident" SET "freeze_active" = false
  WHERE "freeze_active" AND ("severity" <> 'SEV1' OR "status" IN ('RESOLVED', 'CLOSED') OR "near_miss");
