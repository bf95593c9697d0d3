-- AlterTable
ALTER TABLE "web_session" ADD COLUMN     "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "web_session_user_id_idx" ON "web_session"("user_id");
