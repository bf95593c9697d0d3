-- CreateTable
CREATE TABLE "pagerduty_link" (
    "id" UUID NOT NULL,
    "incident_id" UUID NOT NULL,
    "pagerduty_incident_id" TEXT NOT NULL,
    "html_url" TEXT,
    "title" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'triggered',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pagerduty_link_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "pagerduty_link_pagerduty_incident_id_key" ON "pagerduty_link"("pagerduty_incident_id");

-- CreateIndex
CREATE INDEX "pagerduty_link_incident_id_idx" ON "pagerduty_link"("incident_id");

-- AddForeignKey
ALTER TABLE "pagerduty_link" ADD CONSTRAINT "pagerduty_link_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;
