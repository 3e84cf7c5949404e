-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_EngineNode" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedRevision" INTEGER NOT NULL DEFAULT 0,
    "listeners" TEXT NOT NULL DEFAULT '[]',
    "tls" TEXT NOT NULL DEFAULT '',
    "eventsThrough" TEXT NOT NULL DEFAULT ''
);
INSERT INTO "new_EngineNode" ("appliedRevision", "heartbeatAt", "hostname", "id", "listeners", "pid", "startedAt", "tls", "version") SELECT "appliedRevision", "heartbeatAt", "hostname", "id", "listeners", "pid", "startedAt", "tls", "version" FROM "EngineNode";
DROP TABLE "EngineNode";
ALTER TABLE "new_EngineNode" RENAME TO "EngineNode";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
