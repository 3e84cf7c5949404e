-- CreateTable
CREATE TABLE "MessagePart" (
    "messageId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BLOB NOT NULL,

    PRIMARY KEY ("messageId", "seq"),
    CONSTRAINT "MessagePart_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sender" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "body" BLOB,
    "bodyParts" INTEGER NOT NULL DEFAULT 0,
    "nodeId" TEXT NOT NULL DEFAULT '',
    "clientAddress" TEXT NOT NULL DEFAULT '',
    "clientName" TEXT NOT NULL DEFAULT '',
    "helo" TEXT NOT NULL DEFAULT '',
    "saslUser" TEXT NOT NULL DEFAULT '',
    "protocol" TEXT NOT NULL DEFAULT 'ESMTP',
    "state" TEXT NOT NULL DEFAULT 'ACTIVE',
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Message" ("body", "clientAddress", "clientName", "helo", "id", "nodeId", "protocol", "receivedAt", "saslUser", "sender", "size", "state") SELECT "body", "clientAddress", "clientName", "helo", "id", "nodeId", "protocol", "receivedAt", "saslUser", "sender", "size", "state" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE INDEX "Message_state_receivedAt_idx" ON "Message"("state", "receivedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
