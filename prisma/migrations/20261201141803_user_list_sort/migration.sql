-- CreateIndex
CREATE INDEX "User_providerId_updatedAt_id_idx" ON "User"("providerId", "updatedAt", "id");

-- CreateIndex
CREATE INDEX "User_updatedAt_id_idx" ON "User"("updatedAt", "id");
