-- Changes are matched to services and systems in any case (changesTo): lower-cased keys, indexed,
-- in place of the exact-case indexes.

-- DropIndex
DROP INDEX "change_event_service_name_occurred_at_idx";

-- DropIndex
DROP INDEX "change_event_service_occurred_at_idx";

-- DropIndex
DROP INDEX "change_event_system_occurred_at_idx";

-- AlterTable
ALTER TABLE "change_event" ADD COLUMN     "service_key" TEXT,
ADD COLUMN     "service_name_key" TEXT,
ADD COLUMN     "system_key" TEXT;

-- The changes recorded already.
UPDATE "change_event" SET
  "service_key" = lower(btrim("service")),
  "service_name_key" = lower(btrim("service_name")),
  "system_key" = lower(btrim("system"));

ALTER TABLE "change_event" ALTER COLUMN "service_key" SET NOT NULL;

-- CreateIndex
CREATE INDEX "change_event_service_name_key_occurred_at_idx" ON "change_event"("service_name_key", "occurred_at");

-- CreateIndex
CREATE INDEX "change_event_system_key_occurred_at_idx" ON "change_event"("system_key", "occurred_at");

-- CreateIndex
CREATE INDEX "change_event_service_key_occurred_at_idx" ON "change_event"("service_key", "occurred_at");
