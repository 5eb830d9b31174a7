-- CreateTable
CREATE TABLE "OperatorPasskey" (
    "id" UUID NOT NULL,
    "operatorId" UUID NOT NULL,
    "credentialId" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "transports" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "OperatorPasskey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PasskeyChallenge" (
    "sessionId" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "challenge" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PasskeyChallenge_pkey" PRIMARY KEY ("sessionId","purpose")
);

-- CreateIndex
CREATE UNIQUE INDEX "OperatorPasskey_credentialId_key" ON "OperatorPasskey"("credentialId");

-- CreateIndex
CREATE INDEX "OperatorPasskey_operatorId_idx" ON "OperatorPasskey"("operatorId");

-- AddForeignKey
ALTER TABLE "OperatorPasskey" ADD CONSTRAINT "OperatorPasskey_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PasskeyChallenge" ADD CONSTRAINT "PasskeyChallenge_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "OperatorSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;
