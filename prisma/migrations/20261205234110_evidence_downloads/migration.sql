-- CreateTable
CREATE TABLE "evidence_download" (
    "id" UUID NOT NULL,
    "downloaded_by" TEXT NOT NULL,
    "downloaded_at" TIMESTAMPTZ(3) NOT NULL,
    "period_from" TIMESTAMPTZ(3) NOT NULL,
    "period_to" TIMESTAMPTZ(3) NOT NULL,
    "from_date" TEXT NOT NULL,
    "to_date" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "incidents" INTEGER NOT NULL,
    "withheld" INTEGER NOT NULL,
    "zip_sha256" TEXT NOT NULL,
    "files" JSONB NOT NULL,

    CONSTRAINT "evidence_download_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "evidence_download_downloaded_at_idx" ON "evidence_download"("downloaded_at");

-- Evidence downloads are part of the audit trail ("who downloaded what"): each insert is recorded by
-- audit_record() like an incident's records, on a chain of its own (the fixed id below), and the
-- table is append-only: a download is never changed or removed through normal means.
-- audit_record() as in 20261205120000_audit_db_roles, with that one chain added.
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
  ELSIF TG_TABLE_NAME = 'evidence_download' THEN
    -- Evidence downloads are no incident's: they have a chain of their own, under this fixed id
    -- (EVIDENCE_DOWNLOADS_CHAIN in src/domain/audit-chain.ts; incidents' ids are random, version 4).
    v_incident := '00000000-0000-0000-0000-00000000e71d'::uuid;
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

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "evidence_download" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON "evidence_download" FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON "evidence_download" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
