-- AlterTable
ALTER TABLE "ProvisioningRequest" ADD COLUMN     "requestId" TEXT;

-- CreateIndex
CREATE INDEX "ProvisioningRequest_requestId_idx" ON "ProvisioningRequest"("requestId");
