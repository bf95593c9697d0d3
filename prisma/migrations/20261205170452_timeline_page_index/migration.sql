-- DropIndex
DROP INDEX "timeline_entry_incident_id_occurred_at_idx";

-- CreateIndex
CREATE INDEX "timeline_entry_incident_id_occurred_at_id_idx" ON "timeline_entry"("incident_id", "occurred_at", "id");

-- CreateIndex
CREATE INDEX "timeline_entry_incident_id_kind_idx" ON "timeline_entry"("incident_id", "kind");
