-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "bodyParts" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "MessagePart" (
    "messageId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "MessagePart_pkey" PRIMARY KEY ("messageId","seq")
);

-- AddForeignKey
ALTER TABLE "MessagePart" ADD CONSTRAINT "MessagePart_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;
