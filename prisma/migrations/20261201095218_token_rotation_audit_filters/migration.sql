-- AlterTable
ALTER TABLE "ScimToken" ADD COLUMN     "rotatedFromId" UUID;

-- CreateIndex
CREATE INDEX "AuditEvent_actor_createdAt_id_idx" ON "AuditEvent"("actor", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_action_createdAt_id_idx" ON "AuditEvent"("action", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_targetId_createdAt_id_idx" ON "AuditEvent"("targetId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "AuditEvent_providerId_createdAt_id_idx" ON "AuditEvent"("providerId", "createdAt" DESC, "id" DESC);
