-- AlterTable
ALTER TABLE "EngineNode" ADD COLUMN     "eventsThrough" TEXT NOT NULL DEFAULT '';
