-- AlterEnum
ALTER TYPE "IncidentRoleName" ADD VALUE 'DPO';

-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "drill" BOOLEAN NOT NULL DEFAULT false;
