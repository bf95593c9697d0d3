-- CreateTable
CREATE TABLE "tracker_link" (
    "action_item_id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'new',
    "tracker" TEXT,
    "target" TEXT,
    "issue_id" TEXT,
    "issue_key" TEXT,
    "issue_url" TEXT,
    "synced_status" TEXT,
    "synced_owner_id" TEXT,
    "synced_due" DATE,
    "synced_snoozed_until" DATE,
    "dirty" BOOLEAN NOT NULL DEFAULT false,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3),
    "failure_told_at" TIMESTAMPTZ(3),
    "create_tried_at" TIMESTAMPTZ(3),
    "last_event_at" TIMESTAMPTZ(3),
    "gone_answers" INTEGER NOT NULL DEFAULT 0,
    "applying_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tracker_link_pkey" PRIMARY KEY ("action_item_id")
);

-- CreateTable
CREATE TABLE "tracker_delivery" (
    "tracker" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tracker_delivery_pkey" PRIMARY KEY ("tracker","delivery_id")
);

-- CreateIndex
CREATE INDEX "tracker_link_next_attempt_at_idx" ON "tracker_link"("next_attempt_at");

-- CreateIndex
CREATE INDEX "tracker_link_state_tracker_idx" ON "tracker_link"("state", "tracker");

-- CreateIndex
CREATE INDEX "tracker_link_tracker_issue_id_idx" ON "tracker_link"("tracker", "issue_id");

-- CreateIndex
CREATE UNIQUE INDEX "tracker_link_tracker_target_issue_id_key" ON "tracker_link"("tracker", "target", "issue_id");

-- CreateIndex
CREATE INDEX "tracker_delivery_received_at_idx" ON "tracker_delivery"("received_at");

-- AddForeignKey
ALTER TABLE "tracker_link" ADD CONSTRAINT "tracker_link_action_item_id_fkey" FOREIGN KEY ("action_item_id") REFERENCES "action_item"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every new action item gets its link, in the same transaction: the sync sweep chooses its tracker
-- (or none) and opens its issue, whatever path added the item.
CREATE FUNCTION tracker_link_for_new_item() RETURNS trigger LANGUAGE plpgsql
SET search_path = public, pg_temp AS $fn$
BEGIN
  INSERT INTO public.tracker_link (action_item_id, incident_id, state, next_attempt_at, created_at, updated_at)
  VALUES (NEW.id, NEW.incident_id, 'new', NEW.created_at, NEW.created_at, NEW.created_at)
  ON CONFLICT (action_item_id) DO NOTHING;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER tracker_link_new AFTER INSERT ON "action_item" FOR EACH ROW EXECUTE FUNCTION tracker_link_for_new_item();

-- A change to what the tracker shows (status, owner, due date, a snooze), whoever made it, marks the linked
-- issue to be brought in step (and wakes a pending one left idle): due at once unless a retry is
-- already waiting.
CREATE FUNCTION tracker_link_item_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = public, pg_temp AS $fn$
BEGIN
  IF (OLD.status, OLD.owner_id, OLD.due, OLD.snoozed_until) IS DISTINCT FROM (NEW.status, NEW.owner_id, NEW.due, NEW.snoozed_until) THEN
    UPDATE public.tracker_link
       SET dirty = true, next_attempt_at = COALESCE(next_attempt_at, 'epoch'::timestamptz)
     WHERE action_item_id = NEW.id AND state IN ('linked', 'pending');
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER tracker_link_changed AFTER UPDATE ON "action_item" FOR EACH ROW EXECUTE FUNCTION tracker_link_item_changed();
