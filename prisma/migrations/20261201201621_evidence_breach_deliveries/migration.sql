-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "breach_aware_at" TIMESTAMPTZ(3),
ADD COLUMN     "breach_notified_at" TIMESTAMPTZ(3),
ADD COLUMN     "breach_notified_by" TEXT,
ADD COLUMN     "breach_reminded_hours" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "data_breach" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "audited" BOOLEAN NOT NULL DEFAULT true;

-- Incidents declared before the audit trail began have none.
UPDATE "incident" SET "audited" = false;

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" BIGSERIAL NOT NULL,
    "incident_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "actor" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "row_key" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_head" (
    "incident_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_head_pkey" PRIMARY KEY ("incident_id")
);

-- CreateTable
CREATE TABLE "slack_delivery" (
    "key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slack_delivery_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_entry_incident_id_seq_key" ON "audit_entry"("incident_id", "seq");

-- CreateIndex
CREATE INDEX "slack_delivery_received_at_idx" ON "slack_delivery"("received_at");

-- Audit trail (not expressible in schema.prisma): every insert, update and delete on an incident's
-- records writes an audit_entry in the same transaction. Who and through what come from
-- transaction-local settings the app sets (incident_bot.actor, incident_bot.via), and without them the
-- change is the bot's own. Each incident's entries form a hash chain, hash = sha256(prev_hash ||
-- audit_canonical(entry)), and audit_head keeps the newest, so a removed last entry is seen as well.
CREATE FUNCTION audit_canonical(p_incident uuid, p_seq int, p_at timestamptz, p_actor text, p_via text,
                                p_action text, p_row_key text, p_before jsonb, p_after jsonb)
RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
  SELECT jsonb_build_object(
    'incident_id', p_incident, 'seq', p_seq,
    'at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'actor', p_actor, 'via', p_via, 'action', p_action, 'row_key', p_row_key,
    'before', p_before, 'after', p_after)::text
$fn$;

CREATE FUNCTION audit_record() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_old jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
  v_new jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
  v_row jsonb := COALESCE(v_new, v_old);
  v_incident uuid;
  v_before jsonb := v_old;
  v_after jsonb := v_new;
  v_actor text := COALESCE(NULLIF(current_setting('incident_bot.actor', true), ''), 'bot');
  v_via text := COALESCE(NULLIF(current_setting('incident_bot.via', true), ''), 'bot');
  v_action text := TG_TABLE_NAME || '.' || lower(TG_OP);
  v_key text := COALESCE(v_row->>'id', v_row->>'role', v_row->>'incident_id');
  v_at timestamptz;
  v_seq int;
  v_prev text;
  v_hash text;
  k text;
BEGIN
  IF TG_TABLE_NAME = 'incident' THEN
    v_incident := (v_row->>'id')::uuid;
  ELSE
    v_incident := (v_row->>'incident_id')::uuid;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    -- Only what changed, before and after.
    v_before := '{}'::jsonb;
    v_after := '{}'::jsonb;
    FOR k IN SELECT jsonb_object_keys(v_new) LOOP
      IF (v_old->k) IS DISTINCT FROM (v_new->k) THEN
        v_before := v_before || jsonb_build_object(k, v_old->k);
        v_after := v_after || jsonb_build_object(k, v_new->k);
      END IF;
    END LOOP;
    IF v_after = '{}'::jsonb THEN RETURN NULL; END IF;
  END IF;
  -- One chain per incident: concurrent changes to one incident take their turn here.
  PERFORM pg_advisory_xact_lock(hashtextextended('audit:' || v_incident::text, 0));
  -- Timed once it is this change's turn, so times never go backwards along the chain.
  v_at := clock_timestamp();
  SELECT seq, hash INTO v_seq, v_prev FROM audit_head WHERE incident_id = v_incident;
  v_seq := COALESCE(v_seq, 0) + 1;
  v_prev := COALESCE(v_prev, repeat('0', 64));
  v_hash := encode(sha256(convert_to(v_prev || audit_canonical(v_incident, v_seq, v_at, v_actor, v_via, v_action, v_key, v_before, v_after), 'UTF8')), 'hex');
  INSERT INTO audit_entry (incident_id, seq, at, actor, via, action, row_key, before, after, prev_hash, hash)
    VALUES (v_incident, v_seq, v_at, v_actor, v_via, v_action, v_key, v_before, v_after, v_prev, v_hash);
  INSERT INTO audit_head (incident_id, seq, hash) VALUES (v_incident, v_seq, v_hash)
    ON CONFLICT (incident_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "incident" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "incident_role" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "timeline_entry" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "pagerduty_link" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "incident_review" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "action_item" FOR EACH ROW EXECUTE FUNCTION audit_record();

-- Append-only: the trail is never changed or removed through normal means.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END
$fn$;
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "audit_entry" FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON "audit_entry" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- Only the audit trigger writes the trail: an entry or a head written by hand (a forged link at
-- the end of a chain) is refused. pg_trigger_depth() is 1 in a trigger fired by a statement, and 2
-- in one fired by the audit trigger's own statements.
CREATE FUNCTION audit_refuse_direct_write() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'the audit trail is written only by the audit trigger (% on %)', TG_OP, TG_TABLE_NAME;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$fn$;
CREATE TRIGGER written_by_trigger BEFORE INSERT ON "audit_entry" FOR EACH ROW EXECUTE FUNCTION audit_refuse_direct_write();
CREATE TRIGGER written_by_trigger BEFORE INSERT OR UPDATE OR DELETE ON "audit_head" FOR EACH ROW EXECUTE FUNCTION audit_refuse_direct_write();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON "audit_head" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
