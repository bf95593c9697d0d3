-- CreateTable
CREATE TABLE "breach_notification" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "regime" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "markdown" TEXT NOT NULL,
    "drafted_by" TEXT NOT NULL,
    "drafted_at" TIMESTAMPTZ(3) NOT NULL,
    "approved_by" TEXT,
    "approved_at" TIMESTAMPTZ(3),
    "sent_by" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "reference" TEXT,
    "withdrawn_by" TEXT,
    "withdrawn_at" TIMESTAMPTZ(3),
    "withdraw_reason" TEXT,

    CONSTRAINT "breach_notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "breach_notification_incident_id_regime_kind_version_key" ON "breach_notification"("incident_id", "regime", "kind", "version");

-- AddForeignKey
ALTER TABLE "breach_notification" ADD CONSTRAINT "breach_notification_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A notification's versions are part of the incident's record: audited like its other tables
-- (hash-chained per incident by audit_record(), TRUNCATE refused).
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "breach_notification" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "breach_notification" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();

-- The life of a version, whoever writes (src/domain/breach-notification.ts): draft → approved →
-- sent, draft or approved → withdrawn; a draft's content may be replaced, an approved one's never
-- (a change is a new version), and a sent or withdrawn version is final.
CREATE FUNCTION breach_notification_life() RETURNS trigger LANGUAGE plpgsql
SET search_path = public, pg_temp AS $fn$
BEGIN
  IF OLD.state IN ('sent', 'withdrawn') THEN
    RAISE EXCEPTION 'breach_notification %: a % version is final', OLD.id, OLD.state;
  END IF;
  IF (OLD.state, NEW.state) NOT IN (('draft', 'draft'), ('draft', 'approved'), ('draft', 'withdrawn'), ('approved', 'approved'), ('approved', 'sent'), ('approved', 'withdrawn')) THEN
    RAISE EXCEPTION 'breach_notification %: % cannot become %', OLD.id, OLD.state, NEW.state;
  END IF;
  IF (OLD.incident_id, OLD.regime, OLD.kind, OLD.version) IS DISTINCT FROM (NEW.incident_id, NEW.regime, NEW.kind, NEW.version)
     OR (OLD.state <> 'draft' AND (OLD.markdown, OLD.drafted_by, OLD.drafted_at, OLD.approved_by, OLD.approved_at) IS DISTINCT FROM (NEW.markdown, NEW.drafted_by, NEW.drafted_at, NEW.approved_by, NEW.approved_at)) THEN
    RAISE EXCEPTION 'breach_notification %: an approved version''s content and approval are not changed (draft a new version)', OLD.id;
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER life BEFORE UPDATE ON "breach_notification" FOR EACH ROW EXECUTE FUNCTION breach_notification_life();
