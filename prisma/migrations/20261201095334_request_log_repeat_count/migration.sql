-- AlterTable
ALTER TABLE "ProvisioningRequest" ADD COLUMN     "repeatCount" INTEGER NOT NULL DEFAULT 1;
