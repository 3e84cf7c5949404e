-- CreateTable
CREATE TABLE "DkimKey" (
    "id" SERIAL NOT NULL,
    "domain" TEXT NOT NULL,
    "selector" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "privateKey" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" TIMESTAMP(3),
    "retireAfter" TIMESTAMP(3),
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "DkimKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DkimKey_state_idx" ON "DkimKey"("state");

-- CreateIndex
CREATE UNIQUE INDEX "DkimKey_domain_selector_key" ON "DkimKey"("domain", "selector");
