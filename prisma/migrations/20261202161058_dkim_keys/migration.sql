-- CreateTable
CREATE TABLE "DkimKey" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "domain" TEXT NOT NULL,
    "selector" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "privateKey" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" DATETIME,
    "retireAfter" DATETIME,
    "retiredAt" DATETIME
);

-- CreateIndex
CREATE INDEX "DkimKey_state_idx" ON "DkimKey"("state");

-- CreateIndex
CREATE UNIQUE INDEX "DkimKey_domain_selector_key" ON "DkimKey"("domain", "selector");
