-- CreateTable
CREATE TABLE "Domain" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "TrustedNetwork" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "cidr" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "position" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "address" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'USER',
    "hasMailbox" BOOLEAN NOT NULL DEFAULT true,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "quotaBytes" BIGINT NOT NULL DEFAULT 0,
    "displayName" TEXT NOT NULL DEFAULT '',
    "sessionVersion" INTEGER NOT NULL DEFAULT 0,
    "passwordChangedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastLoginAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Alias" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "address" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AccessEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "table" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Setting" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PolicyRevision" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "actor" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "mainCf" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "EngineNode" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedRevision" INTEGER NOT NULL DEFAULT 0,
    "listeners" TEXT NOT NULL DEFAULT '[]',
    "tls" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sender" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "spoolPath" TEXT NOT NULL,
    "clientAddress" TEXT NOT NULL DEFAULT '',
    "clientName" TEXT NOT NULL DEFAULT '',
    "helo" TEXT NOT NULL DEFAULT '',
    "saslUser" TEXT NOT NULL DEFAULT '',
    "protocol" TEXT NOT NULL DEFAULT 'ESMTP',
    "state" TEXT NOT NULL DEFAULT 'ACTIVE',
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Recipient" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "messageId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "originalAddress" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'QUEUED',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT NOT NULL DEFAULT '',
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "Recipient_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeliveryEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
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
    "trace" TEXT NOT NULL DEFAULT ''
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL DEFAULT '',
    "before" TEXT NOT NULL DEFAULT '',
    "after" TEXT NOT NULL DEFAULT ''
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
