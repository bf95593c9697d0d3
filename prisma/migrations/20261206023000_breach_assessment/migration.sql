-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "breach_reportable" BOOLEAN;

-- CreateTable
CREATE TABLE "breach_assessment" (
    "incident_id" UUID NOT NULL,
    "categories" TEXT[],
    "people_affected" BIGINT,
    "people_estimated" BOOLEAN NOT NULL,
    "most_in_one_state" BIGINT,
    "likelihood" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "contained" BOOLEAN NOT NULL,
    "containment" TEXT NOT NULL,
    "reportable" BOOLEAN,
    "reason" TEXT NOT NULL,
    "assessed_by" TEXT NOT NULL,
    "assessed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "breach_assessment_pkey" PRIMARY KEY ("incident_id")
);

-- CreateTable
CREATE TABLE "breach_obligation_notice" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "regime" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "aware_at" TIMESTAMPTZ(3),
    "reminded_point" INTEGER,
    "notified_at" TIMESTAMPTZ(3),
    "notified_by" TEXT,
    "reference" TEXT,

    CONSTRAINT "breach_obligation_notice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "breach_year_end_notice" (
    "year" INTEGER NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "breach_year_end_notice_pkey" PRIMARY KEY ("year")
);

-- CreateIndex
CREATE UNIQUE INDEX "breach_obligation_notice_incident_id_regime_kind_key" ON "breach_obligation_notice"("incident_id", "regime", "kind");

-- AddForeignKey
ALTER TABLE "breach_assessment" ADD CONSTRAINT "breach_assessment_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "breach_obligation_notice" ADD CONSTRAINT "breach_obligation_notice_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The breach assessment and the obligations' notices are part of an incident's record: audited like
-- its other tables (hash-chained per incident by audit_record(), keyed by the row's id or, for the
-- assessment, its incident; TRUNCATE refused). The year-end notice is no incident's: not audited
-- (like summary_redraw, a claim that makes one replica send).
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "breach_assessment" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "breach_obligation_notice" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "breach_assessment" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "breach_obligation_notice" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();

-- A notification recorded as made is never taken back or changed behind the record's back: once
-- notified_at is set, it, notified_by and reference stay for that awareness time (a breach flagged
-- again with a new awareness time starts its row over; the audit trail keeps the old one). The row
-- is still deleted with its incident.
CREATE FUNCTION breach_notice_keep_notified() RETURNS trigger LANGUAGE plpgsql
SET search_path = public, pg_temp AS $fn$
BEGIN
  IF OLD.notified_at IS NOT NULL AND NEW.aware_at IS NOT DISTINCT FROM OLD.aware_at AND (NEW.notified_at, NEW.notified_by, NEW.reference) IS DISTINCT FROM (OLD.notified_at, OLD.notified_by, OLD.reference) THEN
    RAISE EXCEPTION 'a notification recorded as made is not changed (breach_obligation_notice %)', OLD.id;
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER keep_notified BEFORE UPDATE ON "breach_obligation_notice" FOR EACH ROW EXECUTE FUNCTION breach_notice_keep_notified();
