-- CreateTable
CREATE TABLE "clinical_hazard" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "hazard_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "before_likelihood" TEXT NOT NULL,
    "before_severity" TEXT NOT NULL,
    "after_likelihood" TEXT,
    "after_severity" TEXT,
    "linked_by" TEXT NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "clinical_hazard_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clinical_signoff" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "signed_by" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "note" TEXT,
    "action_item_id" UUID,
    "voided_at" TIMESTAMPTZ(3),
    "voided_by" TEXT,
    "void_reason" TEXT,

    CONSTRAINT "clinical_signoff_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "clinical_hazard_incident_id_hazard_id_key" ON "clinical_hazard"("incident_id", "hazard_id");

-- CreateIndex
CREATE INDEX "clinical_signoff_incident_id_voided_at_idx" ON "clinical_signoff"("incident_id", "voided_at");

-- AddForeignKey
ALTER TABLE "clinical_hazard" ADD CONSTRAINT "clinical_hazard_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clinical_signoff" ADD CONSTRAINT "clinical_signoff_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hazard links and sign-offs are part of an incident's record: audited like its other tables
-- (hash-chained per incident by audit_record(), TRUNCATE refused).
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "clinical_hazard" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON "clinical_signoff" FOR EACH ROW EXECUTE FUNCTION audit_record();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "clinical_hazard" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "clinical_signoff" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
