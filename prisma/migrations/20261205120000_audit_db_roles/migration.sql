-- AlterTable
ALTER TABLE "audit_entry" ADD COLUMN     "claimed_actor" TEXT,
ADD COLUMN     "db_role" TEXT;

-- CreateTable
CREATE TABLE "audit_settings" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "bot_role" TEXT,

    CONSTRAINT "audit_settings_pkey" PRIMARY KEY ("id")
);

-- One row (id true; audit_record() reads only that one): the role the bot runs as, recorded by
-- `npm run db:migrate` when the owner and the bot are separate roles (MIGRATION_DATABASE_URL and
-- DATABASE_URL). NULL: one role does everything. Only the owner may write it.
INSERT INTO "audit_settings" ("id", "bot_role") VALUES (true, NULL);

-- The canonical text now covers who the database says made the change (db_role) and, for a session
-- whose claim was not believed, the actor it claimed. Each is in the text only when it is set, so
-- entries written before keep their text and hash.
CREATE FUNCTION audit_canonical(p_incident uuid, p_seq int, p_at timestamptz, p_actor text, p_via text,
                                p_action text, p_row_key text, p_before jsonb, p_after jsonb,
                                p_db_role text, p_claimed_actor text)
RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
  SELECT (jsonb_build_object(
    'incident_id', p_incident, 'seq', p_seq,
    'at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'actor', p_actor, 'via', p_via, 'action', p_action, 'row_key', p_row_key,
    'before', p_before, 'after', p_after)
    || CASE WHEN p_db_role IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('db_role', p_db_role) END
    || CASE WHEN p_claimed_actor IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('claimed_actor', p_claimed_actor) END)::text
$fn$;

-- The audit trigger runs with its owner's rights (SECURITY DEFINER, fixed search_path with pg_temp
-- last, so nothing the caller creates is found first): the bot's role needs no right on audit_entry
-- or audit_head at all. Nobody else may attach it to a table (EXECUTE is revoked; a trigger fires
-- whatever the caller's rights), and it refuses to run on a table outside the public schema (a
-- temporary table named like an audited one).
-- Who: session_user (the role that logged in; SET ROLE does not change it) is recorded on every
-- entry. incident_bot.actor is believed only from the bot's own role when audit_settings names one;
-- from any other role the entry's actor is 'db:<role>' and the claim is kept in claimed_actor.
CREATE OR REPLACE FUNCTION audit_record() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  v_old jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
  v_new jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
  v_row jsonb := COALESCE(v_new, v_old);
  v_incident uuid;
  v_before jsonb := v_old;
  v_after jsonb := v_new;
  v_claim text := NULLIF(current_setting('incident_bot.actor', true), '');
  v_via text := NULLIF(current_setting('incident_bot.via', true), '');
  v_role text := session_user;
  v_bot_role text;
  v_actor text;
  v_claimed text;
  v_action text := TG_TABLE_NAME || '.' || lower(TG_OP);
  v_key text := COALESCE(v_row->>'id', v_row->>'role', v_row->>'incident_id');
  v_at timestamptz;
  v_seq int;
  v_prev text;
  v_hash text;
  k text;
BEGIN
  IF TG_TABLE_SCHEMA IS DISTINCT FROM 'public' THEN
    RAISE EXCEPTION 'audit_record() records only the audited tables in schema public, not %.%', TG_TABLE_SCHEMA, TG_TABLE_NAME;
  END IF;
  SELECT bot_role INTO v_bot_role FROM public.audit_settings WHERE id;
  IF v_bot_role IS NOT NULL AND v_role IS DISTINCT FROM v_bot_role THEN
    v_actor := 'db:' || v_role;
    v_claimed := v_claim;
    v_via := COALESCE(v_via, 'sql');
  ELSE
    v_actor := COALESCE(v_claim, 'bot');
    v_via := COALESCE(v_via, 'bot');
  END IF;
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
  SELECT seq, hash INTO v_seq, v_prev FROM public.audit_head WHERE incident_id = v_incident;
  v_seq := COALESCE(v_seq, 0) + 1;
  v_prev := COALESCE(v_prev, repeat('0', 64));
  v_hash := encode(sha256(convert_to(v_prev || public.audit_canonical(v_incident, v_seq, v_at, v_actor, v_via, v_action, v_key, v_before, v_after, v_role, v_claimed), 'UTF8')), 'hex');
  INSERT INTO public.audit_entry (incident_id, seq, at, actor, via, action, row_key, before, after, prev_hash, hash, db_role, claimed_actor)
    VALUES (v_incident, v_seq, v_at, v_actor, v_via, v_action, v_key, v_before, v_after, v_prev, v_hash, v_role, v_claimed);
  INSERT INTO public.audit_head (incident_id, seq, hash) VALUES (v_incident, v_seq, v_hash)
    ON CONFLICT (incident_id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
  RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION audit_record() FROM PUBLIC;

-- TRUNCATE fires no row trigger, so it would empty an audited table without a trace: refused (delete
-- the rows instead, and the trail records each one).
CREATE FUNCTION audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '% is audited: TRUNCATE would bypass the audit trail (delete the rows instead)', TG_TABLE_NAME;
END
$fn$;
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "incident" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "incident_role" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "timeline_entry" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "pagerduty_link" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "incident_review" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "action_item" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
