-- AlterTable
ALTER TABLE "Message" DROP COLUMN "bodyPath";
