-- CreateIndex
CREATE INDEX "action_item_team_status_idx" ON "action_item"("team", "status");

-- CreateIndex
CREATE INDEX "incident_affected_service_created_at_idx" ON "incident"("affected_service", "created_at");
