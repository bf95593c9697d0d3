-- DropIndex
DROP INDEX "action_item_status_due_idx";

-- DropIndex
DROP INDEX "action_item_status_owner_id_idx";

-- CreateIndex
CREATE INDEX "action_item_status_due_priority_number_idx" ON "action_item"("status", "due", "priority", "number");

-- CreateIndex
CREATE INDEX "action_item_owner_id_status_due_priority_number_idx" ON "action_item"("owner_id", "status", "due", "priority", "number");

-- CreateIndex
CREATE INDEX "action_item_created_at_idx" ON "action_item"("created_at");

-- CreateIndex
CREATE INDEX "action_item_status_created_at_due_idx" ON "action_item"("status", "created_at", "due");

-- CreateIndex
CREATE INDEX "incident_status_severity_idx" ON "incident"("status", "severity");

-- CreateIndex
CREATE INDEX "incident_created_at_idx" ON "incident"("created_at");
