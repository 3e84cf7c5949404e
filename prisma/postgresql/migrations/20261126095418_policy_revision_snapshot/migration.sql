-- AlterTable
ALTER TABLE "PolicyRevision" ADD COLUMN     "snapshot" TEXT NOT NULL DEFAULT '';
