-- Entra's initial cycle inserts users as fast as we answer. With GIN's default fast-update, the pending list
-- is flushed by whichever insert overflows it, a stall of 100+ ms that showed as create p99 of 184 ms at 10,000
-- users; updating the index on every insert is steady and, measured, several times faster overall.
ALTER INDEX "User_emailValues_idx" SET (fastupdate = off);
