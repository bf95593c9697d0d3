-- CreateTable
CREATE TABLE "wellbeing_alert" (
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL,
    "settled_at" TIMESTAMPTZ(3),
    "failure" TEXT,

    CONSTRAINT "wellbeing_alert_pkey" PRIMARY KEY ("kind","subject","period","recipient")
);
