-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "owner_notified_at" TIMESTAMPTZ(3);
