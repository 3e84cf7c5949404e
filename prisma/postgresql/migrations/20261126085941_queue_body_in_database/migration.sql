-- AlterTable
ALTER TABLE "Message" DROP COLUMN "finishedAt",
DROP COLUMN "spoolPath",
ADD COLUMN     "body" BYTEA,
ADD COLUMN     "nodeId" TEXT NOT NULL DEFAULT '';
