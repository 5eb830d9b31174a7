-- The portal user search matches any part of userName, displayName and the primary mail. Trigram GIN indexes
-- answer those LIKE and ILIKE patterns, combined with the emailValues GIN index and the externalId index, in a
-- bitmap instead of reading every user. pg_trgm ships with PostgreSQL contrib and with PGlite.
-- Hand-written for the fastupdate setting, as on the emailValues index: steady inserts during an initial cycle.
-- Comments here hold no quote characters and no semicolons: the engine splits scripts on semicolons.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "User_userNameLower_trgm_idx" ON "User" USING gin ("userNameLower" gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX "User_displayName_trgm_idx" ON "User" USING gin ("displayName" gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX "User_primaryEmail_trgm_idx" ON "User" USING gin ("primaryEmail" gin_trgm_ops) WITH (fastupdate = off);
