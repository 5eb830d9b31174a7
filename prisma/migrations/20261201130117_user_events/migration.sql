-- CreateTable
CREATE TABLE "UserEvent" (
    "seq" BIGSERIAL NOT NULL,
    "txid" BIGINT NOT NULL DEFAULT ((pg_current_xact_id())::text)::bigint,
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "providerId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "payload" JSON NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UserEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "UserEvent_txid_seq_idx" ON "UserEvent"("txid", "seq");

-- CreateIndex
CREATE INDEX "UserEvent_providerId_txid_seq_idx" ON "UserEvent"("providerId", "txid", "seq");

-- CreateIndex
CREATE INDEX "UserEvent_userId_seq_idx" ON "UserEvent"("userId", "seq" DESC);

