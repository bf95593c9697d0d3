-- CreateEnum
CREATE TYPE "ActionCategory" AS ENUM ('guardrail', 'observability', 'ownership', 'runbook', 'process');

-- CreateEnum
CREATE TYPE "ActionPriority" AS ENUM ('high', 'medium', 'low');

-- CreateEnum
CREATE TYPE "ActionStatus" AS ENUM ('open', 'done');

-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "near_miss" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "incident_review" (
    "incident_id" UUID NOT NULL,
    "input" JSONB NOT NULL,
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "posted_ts" TEXT,

    CONSTRAINT "incident_review_pkey" PRIMARY KEY ("incident_id")
);

-- CreateTable
CREATE TABLE "action_item" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "incident_id" UUID NOT NULL,
    "text" TEXT NOT NULL,
    "owner_id" TEXT,
    "due" DATE,
    "category" "ActionCategory" NOT NULL,
    "priority" "ActionPriority" NOT NULL DEFAULT 'medium',
    "status" "ActionStatus" NOT NULL DEFAULT 'open',
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "completed_by" TEXT,
    "snoozed_until" DATE,
    "due_reminded_at" TIMESTAMPTZ(3),
    "overdue_reminded_at" TIMESTAMPTZ(3),

    CONSTRAINT "action_item_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "action_item_number_key" ON "action_item"("number");

-- CreateIndex
CREATE INDEX "action_item_incident_id_idx" ON "action_item"("incident_id");

-- CreateIndex
CREATE INDEX "action_item_status_owner_id_idx" ON "action_item"("status", "owner_id");

-- CreateIndex
CREATE INDEX "action_item_status_due_idx" ON "action_item"("status", "due");

-- AddForeignKey
ALTER TABLE "incident_review" ADD CONSTRAINT "incident_review_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "action_item" ADD CONSTRAINT "action_item_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;
