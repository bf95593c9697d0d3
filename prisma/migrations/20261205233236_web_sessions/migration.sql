-- CreateTable
CREATE TABLE "web_session" (
    "id_hash" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "csrf_token" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "web_session_pkey" PRIMARY KEY ("id_hash")
);

-- CreateIndex
CREATE INDEX "web_session_expires_at_idx" ON "web_session"("expires_at");
