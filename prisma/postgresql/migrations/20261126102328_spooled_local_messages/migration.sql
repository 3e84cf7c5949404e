-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "bodyPath" TEXT NOT NULL DEFAULT '';
