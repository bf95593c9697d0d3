-- AlterTable
ALTER TABLE "action_item" ADD COLUMN     "team" TEXT;

-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "service_owner" TEXT;

-- CreateTable
CREATE TABLE "change_event" (
    "id" UUID NOT NULL,
    "source_key" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "service_name" TEXT,
    "system" TEXT,
    "owner" TEXT,
    "environment" TEXT,
    "version" TEXT,
    "summary" TEXT NOT NULL,
    "author" TEXT,
    "approvers" JSONB NOT NULL DEFAULT '[]',
    "url" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "flagged" BOOLEAN NOT NULL DEFAULT false,
    "override_id" UUID,

    CONSTRAINT "change_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_freeze" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "started_by" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_by" TEXT,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "change_freeze_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "freeze_override" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "approved_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "used_by" TEXT,

    CONSTRAINT "freeze_override_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "change_event_source_key_key" ON "change_event"("source_key");

-- CreateIndex
CREATE INDEX "change_event_service_name_occurred_at_idx" ON "change_event"("service_name", "occurred_at");

-- CreateIndex
CREATE INDEX "change_event_system_occurred_at_idx" ON "change_event"("system", "occurred_at");

-- CreateIndex
CREATE INDEX "change_event_service_occurred_at_idx" ON "change_event"("service", "occurred_at");

-- CreateIndex
CREATE INDEX "change_event_occurred_at_idx" ON "change_event"("occurred_at");

-- CreateIndex
CREATE INDEX "change_freeze_incident_id_idx" ON "change_freeze"("incident_id");

-- CreateIndex
CREATE INDEX "change_freeze_ended_at_scope_idx" ON "change_freeze"("ended_at", "scope");

-- CreateIndex
CREATE INDEX "freeze_override_incident_id_idx" ON "freeze_override"("incident_id");

-- CreateIndex
CREATE INDEX "freeze_override_service_used_at_idx" ON "freeze_override"("service", "used_at");

-- AddForeignKey
ALTER TABLE "change_freeze" ADD CONSTRAINT "change_freeze_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "freeze_override" ADD CONSTRAINT "freeze_override_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Freezes and overrides are part of an incident's record: audited like its other tables
-- (hash-chained per incident by audit_record(), TRUNCATE refused).
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "change_freeze" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "freeze_override" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "change_freeze" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "freeze_override" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
