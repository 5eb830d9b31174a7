-- CreateEnum
CREATE TYPE "IdpKind" AS ENUM ('entra', 'okta', 'generic');

-- CreateEnum
CREATE TYPE "AttributeType" AS ENUM ('string', 'integer', 'decimal', 'boolean', 'dateTime');

-- CreateEnum
CREATE TYPE "UserSource" AS ENUM ('scim', 'sso', 'admin');

-- CreateEnum
CREATE TYPE "OperatorRole" AS ENUM ('admin', 'support');

-- CreateEnum
CREATE TYPE "RequestOperation" AS ENUM ('create', 'link', 'update', 'deactivate', 'reactivate', 'delete', 'read', 'list', 'discovery', 'error', 'auth_failure');

-- CreateTable
CREATE TABLE "IdentityProvider" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "IdpKind" NOT NULL DEFAULT 'entra',
    "scimEnabled" BOOLEAN NOT NULL DEFAULT true,
    "extensionName" TEXT NOT NULL DEFAULT 'traffitech',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdentityProvider_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScimToken" (
    "id" UUID NOT NULL,
    "providerId" UUID NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "scopes" TEXT[],
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "createdBy" TEXT NOT NULL DEFAULT 'cli',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScimToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomAttribute" (
    "id" UUID NOT NULL,
    "providerId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "nameLower" TEXT NOT NULL,
    "type" "AttributeType" NOT NULL DEFAULT 'string',
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CustomAttribute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "providerId" UUID NOT NULL,
    "externalId" TEXT,
    "userName" TEXT NOT NULL,
    "userNameLower" TEXT NOT NULL,
    "displayName" TEXT,
    "givenName" TEXT,
    "familyName" TEXT,
    "primaryEmail" TEXT,
    "emailValues" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "resource" JSONB NOT NULL DEFAULT '{}',
    "customAttributes" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "source" "UserSource" NOT NULL DEFAULT 'scim',
    "scimManaged" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProvisioningRequest" (
    "id" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "providerId" UUID,
    "tokenId" UUID,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "query" TEXT NOT NULL DEFAULT '',
    "status" INTEGER NOT NULL,
    "durationMs" DOUBLE PRECISION NOT NULL,
    "operation" "RequestOperation" NOT NULL,
    "userId" UUID,
    "userName" TEXT,
    "userEmail" TEXT,
    "requestBody" TEXT,
    "responseBody" TEXT,
    "discardedAttributes" TEXT[],
    "compatRules" TEXT[],
    "changes" JSONB,
    "scimType" TEXT,
    "errorDetail" TEXT,
    "clientIp" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "ProvisioningRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operator" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "OperatorRole" NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "failedAttempts" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "lastSignInAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Operator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "providerId" UUID,
    "details" JSONB,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ScimToken_secretHash_key" ON "ScimToken"("secretHash");

-- CreateIndex
CREATE INDEX "ScimToken_providerId_idx" ON "ScimToken"("providerId");

-- CreateIndex
CREATE UNIQUE INDEX "CustomAttribute_providerId_nameLower_key" ON "CustomAttribute"("providerId", "nameLower");

-- CreateIndex
CREATE INDEX "User_providerId_createdAt_id_idx" ON "User"("providerId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "User_emailValues_idx" ON "User" USING GIN ("emailValues");

-- CreateIndex
CREATE UNIQUE INDEX "User_providerId_userNameLower_key" ON "User"("providerId", "userNameLower");

-- CreateIndex
CREATE UNIQUE INDEX "User_providerId_externalId_key" ON "User"("providerId", "externalId");

-- CreateIndex
CREATE INDEX "ProvisioningRequest_createdAt_id_idx" ON "ProvisioningRequest"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "ProvisioningRequest_providerId_createdAt_id_idx" ON "ProvisioningRequest"("providerId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "ProvisioningRequest_userId_createdAt_idx" ON "ProvisioningRequest"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "ProvisioningRequest_userEmail_idx" ON "ProvisioningRequest"("userEmail");

-- CreateIndex
CREATE INDEX "ProvisioningRequest_userName_idx" ON "ProvisioningRequest"("userName");

-- CreateIndex
CREATE UNIQUE INDEX "Operator_email_key" ON "Operator"("email");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt" DESC);

-- AddForeignKey
ALTER TABLE "ScimToken" ADD CONSTRAINT "ScimToken_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "IdentityProvider"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomAttribute" ADD CONSTRAINT "CustomAttribute_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "IdentityProvider"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "IdentityProvider"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvisioningRequest" ADD CONSTRAINT "ProvisioningRequest_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "IdentityProvider"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProvisioningRequest" ADD CONSTRAINT "ProvisioningRequest_tokenId_fkey" FOREIGN KEY ("tokenId") REFERENCES "ScimToken"("id") ON DELETE SET NULL ON UPDATE CASCADE;
