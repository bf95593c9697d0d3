-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "clinical_notified_at" TIMESTAMPTZ(3),
ADD COLUMN     "commander_nudged_at" TIMESTAMPTZ(3),
ADD COLUMN     "freeze_active" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "last_update_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "update_reminder_due_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "timeline_entry" ADD COLUMN     "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN     "edited_at" TIMESTAMPTZ(3),
ADD COLUMN     "permalink" TEXT,
ADD COLUMN     "source_ts" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "timeline_entry_incident_id_source_ts_key" ON "timeline_entry"("incident_id", "source_ts");
