-- DropIndex
DROP INDEX "UserEvent_txid_seq_idx";

-- AlterTable
ALTER TABLE "UserEvent" DROP CONSTRAINT "UserEvent_pkey",
ADD CONSTRAINT "UserEvent_pkey" PRIMARY KEY ("txid", "seq");
