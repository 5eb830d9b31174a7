import 'server-only'
import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst } from './sql'

/**
 * Leases on background jobs (table "BackgroundJob"): a job runs on one instance at a time, whichever claims
 * it first; a lease that was not renewed (its instance died) can be claimed by another instance once it ran out.
 * No session-level advisory lock: those need one pooled connection held for the whole run.
 */

/** Claims `name` for `holder` until `now + leaseMs`; returns the job's saved state, or null when another holds it. */
export async function claimJob(name: string, holder: string, leaseMs: number, now = new Date()): Promise<unknown | null> {
  const until = new Date(now.getTime() + leaseMs)
  const row = await sqlFirst<{ state: unknown }>(Prisma.sql`
    INSERT INTO "BackgroundJob" ("name", "holder", "leaseUntil", "state", "updatedAt")
    VALUES (${name}, ${holder}, ${until}, '{}'::jsonb, ${now})
    ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "leaseUntil" = EXCLUDED."leaseUntil", "updatedAt" = EXCLUDED."updatedAt"
    WHERE "BackgroundJob"."holder" IS NULL OR "BackgroundJob"."holder" = EXCLUDED."holder" OR "BackgroundJob"."leaseUntil" < ${now}
    RETURNING "state"`)
  return row ? row.state : null
}

/** Saves the job's progress and renews the lease; false when the lease was lost to another instance. */
export async function saveJobState(
  name: string,
  holder: string,
  state: unknown,
  leaseMs: number,
  now = new Date(),
): Promise<boolean> {
  const changed = await sqlExecute(Prisma.sql`
    UPDATE "BackgroundJob" SET "state" = ${JSON.stringify(state)}::jsonb, "leaseUntil" = ${new Date(now.getTime() + leaseMs)},
      "updatedAt" = ${now}
    WHERE "name" = ${name} AND "holder" = ${holder}`)
  return changed > 0
}

/** Gives the lease up, so the next run (here or elsewhere) need not wait for it to run out. */
export async function releaseJob(name: string, holder: string): Promise<void> {
  await sqlExecute(Prisma.sql`
    UPDATE "BackgroundJob" SET "holder" = NULL, "leaseUntil" = NULL WHERE "name" = ${name} AND "holder" = ${holder}`)
}
