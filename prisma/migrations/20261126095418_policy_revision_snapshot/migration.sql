-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PolicyRevision" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "actor" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "mainCf" TEXT NOT NULL,
    "snapshot" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_PolicyRevision" ("actor", "createdAt", "id", "mainCf", "summary") SELECT "actor", "createdAt", "id", "mainCf", "summary" FROM "PolicyRevision";
DROP TABLE "PolicyRevision";
ALTER TABLE "new_PolicyRevision" RENAME TO "PolicyRevision";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
