-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "on_call_invited_at" TIMESTAMPTZ(3),
ADD COLUMN     "on_call_lookup_failed_noticed" BOOLEAN NOT NULL DEFAULT false;
