-- CreateTable
CREATE TABLE "pd_person" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "time_zone" TEXT,
    "slack_user_id" TEXT,
    "slack_checked_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pd_person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pd_scope" (
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "pd_id" TEXT,
    "name" TEXT NOT NULL,
    "lower_name" TEXT NOT NULL,

    CONSTRAINT "pd_scope_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "pd_stretch" (
    "id" BIGSERIAL NOT NULL,
    "scope_key" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "schedule_id" TEXT,
    "escalation_policy_id" TEXT,
    "level" INTEGER NOT NULL,
    "start" TIMESTAMPTZ(3) NOT NULL,
    "end" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pd_stretch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pd_page" (
    "log_entry_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "incident_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "service_id" TEXT,

    CONSTRAINT "pd_page_pkey" PRIMARY KEY ("log_entry_id","user_id")
);

-- CreateTable
CREATE TABLE "pd_sync_window" (
    "scope_key" TEXT NOT NULL,
    "start" TIMESTAMPTZ(3) NOT NULL,
    "end" TIMESTAMPTZ(3) NOT NULL,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pd_sync_window_pkey" PRIMARY KEY ("scope_key","start")
);

-- CreateIndex
CREATE INDEX "pd_scope_lower_name_idx" ON "pd_scope"("lower_name");

-- CreateIndex
CREATE INDEX "pd_stretch_scope_key_start_idx" ON "pd_stretch"("scope_key", "start");

-- CreateIndex
CREATE INDEX "pd_page_at_idx" ON "pd_page"("at");
