-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('SEV1', 'SEV2', 'SEV3', 'SEV4');

-- CreateEnum
CREATE TYPE "IncidentStatus" AS ENUM ('DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED', 'CLOSED');

-- CreateEnum
CREATE TYPE "IncidentRoleName" AS ENUM ('COMMANDER', 'COMMS', 'SCRIBE', 'OPS', 'CLINICAL_SAFETY');

-- CreateTable
CREATE TABLE "incident" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "declare_key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "affected_service" TEXT,
    "severity" "Severity" NOT NULL,
    "status" "IncidentStatus" NOT NULL DEFAULT 'DECLARED',
    "is_private" BOOLEAN NOT NULL DEFAULT false,
    "clinical_impact" BOOLEAN NOT NULL DEFAULT false,
    "declared_by" TEXT NOT NULL,
    "origin_channel_id" TEXT,
    "response_url" TEXT,
    "channel_id" TEXT,
    "channel_name" TEXT,
    "summary_ts" TEXT,
    "summary_pinned" BOOLEAN NOT NULL DEFAULT false,
    "declarer_invited" BOOLEAN NOT NULL DEFAULT false,
    "announcement_ts" TEXT,
    "provisioned_at" TIMESTAMPTZ(3),
    "provision_attempts" INTEGER NOT NULL DEFAULT 0,
    "provision_error" TEXT,
    "provision_lock_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "incident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "incident_role" (
    "incident_id" UUID NOT NULL,
    "role" "IncidentRoleName" NOT NULL,
    "user_id" TEXT NOT NULL,
    "assigned_by" TEXT NOT NULL,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "incident_role_pkey" PRIMARY KEY ("incident_id","role")
);

-- CreateTable
CREATE TABLE "timeline_entry" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "actor_id" TEXT,
    "text" TEXT NOT NULL,
    "data" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "timeline_entry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "incident_number_key" ON "incident"("number");

-- CreateIndex
CREATE UNIQUE INDEX "incident_declare_key_key" ON "incident"("declare_key");

-- CreateIndex
CREATE UNIQUE INDEX "incident_channel_id_key" ON "incident"("channel_id");

-- CreateIndex
CREATE INDEX "incident_provisioned_at_idx" ON "incident"("provisioned_at");

-- CreateIndex
CREATE INDEX "timeline_entry_incident_id_occurred_at_idx" ON "timeline_entry"("incident_id", "occurred_at");

-- AddForeignKey
ALTER TABLE "incident_role" ADD CONSTRAINT "incident_role_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "timeline_entry" ADD CONSTRAINT "timeline_entry_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;
