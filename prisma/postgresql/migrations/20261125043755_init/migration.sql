-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Domain" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Domain_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrustedNetwork" (
    "id" SERIAL NOT NULL,
    "cidr" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrustedNetwork_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "address" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'USER',
    "hasMailbox" BOOLEAN NOT NULL DEFAULT true,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "quotaBytes" BIGINT NOT NULL DEFAULT 0,
    "displayName" TEXT NOT NULL DEFAULT '',
    "sessionVersion" INTEGER NOT NULL DEFAULT 0,
    "passwordChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alias" (
    "id" SERIAL NOT NULL,
    "address" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Alias_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessEntry" (
    "id" SERIAL NOT NULL,
    "table" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccessEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "PolicyRevision" (
    "id" SERIAL NOT NULL,
    "actor" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "mainCf" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PolicyRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EngineNode" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedRevision" INTEGER NOT NULL DEFAULT 0,
    "listeners" TEXT NOT NULL DEFAULT '[]',
    "tls" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "EngineNode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "spoolPath" TEXT NOT NULL,
    "clientAddress" TEXT NOT NULL DEFAULT '',
    "clientName" TEXT NOT NULL DEFAULT '',
    "helo" TEXT NOT NULL DEFAULT '',
    "saslUser" TEXT NOT NULL DEFAULT '',
    "protocol" TEXT NOT NULL DEFAULT 'ESMTP',
    "state" TEXT NOT NULL DEFAULT 'ACTIVE',
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Recipient" (
    "id" SERIAL NOT NULL,
    "messageId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "originalAddress" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'QUEUED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT NOT NULL DEFAULT '',
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Recipient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryEvent" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "event" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT '',
    "queueId" TEXT NOT NULL DEFAULT '',
    "lookupId" TEXT NOT NULL DEFAULT '',
    "nodeId" TEXT NOT NULL DEFAULT '',
    "clientAddress" TEXT NOT NULL DEFAULT '',
    "clientName" TEXT NOT NULL DEFAULT '',
    "helo" TEXT NOT NULL DEFAULT '',
    "saslUser" TEXT NOT NULL DEFAULT '',
    "sender" TEXT NOT NULL DEFAULT '',
    "recipient" TEXT NOT NULL DEFAULT '',
    "code" INTEGER NOT NULL DEFAULT 0,
    "enhanced" TEXT NOT NULL DEFAULT '',
    "text" TEXT NOT NULL DEFAULT '',
    "trace" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "DeliveryEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL DEFAULT '',
    "before" TEXT NOT NULL DEFAULT '',
    "after" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Domain_name_key" ON "Domain"("name");

-- CreateIndex
CREATE INDEX "Domain_kind_active_idx" ON "Domain"("kind", "active");

-- CreateIndex
CREATE UNIQUE INDEX "TrustedNetwork_cidr_key" ON "TrustedNetwork"("cidr");

-- CreateIndex
CREATE UNIQUE INDEX "User_address_key" ON "User"("address");

-- CreateIndex
CREATE INDEX "User_role_idx" ON "User"("role");

-- CreateIndex
CREATE INDEX "Alias_target_idx" ON "Alias"("target");

-- CreateIndex
CREATE UNIQUE INDEX "Alias_address_target_key" ON "Alias"("address", "target");

-- CreateIndex
CREATE UNIQUE INDEX "AccessEntry_table_key_key" ON "AccessEntry"("table", "key");

-- CreateIndex
CREATE INDEX "Message_state_receivedAt_idx" ON "Message"("state", "receivedAt");

-- CreateIndex
CREATE INDEX "Recipient_state_nextAttemptAt_idx" ON "Recipient"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Recipient_messageId_idx" ON "Recipient"("messageId");

-- CreateIndex
CREATE INDEX "Recipient_address_idx" ON "Recipient"("address");

-- CreateIndex
CREATE INDEX "DeliveryEvent_at_idx" ON "DeliveryEvent"("at");

-- CreateIndex
CREATE INDEX "DeliveryEvent_queueId_idx" ON "DeliveryEvent"("queueId");

-- CreateIndex
CREATE INDEX "DeliveryEvent_lookupId_idx" ON "DeliveryEvent"("lookupId");

-- CreateIndex
CREATE INDEX "DeliveryEvent_recipient_at_idx" ON "DeliveryEvent"("recipient", "at");

-- CreateIndex
CREATE INDEX "DeliveryEvent_sender_at_idx" ON "DeliveryEvent"("sender", "at");

-- CreateIndex
CREATE INDEX "DeliveryEvent_clientAddress_at_idx" ON "DeliveryEvent"("clientAddress", "at");

-- CreateIndex
CREATE INDEX "DeliveryEvent_saslUser_at_idx" ON "DeliveryEvent"("saslUser", "at");

-- CreateIndex
CREATE INDEX "DeliveryEvent_event_at_idx" ON "DeliveryEvent"("event", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- AddForeignKey
ALTER TABLE "Recipient" ADD CONSTRAINT "Recipient_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;
