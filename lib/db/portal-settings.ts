import 'server-only'
import { Prisma } from './generated/client'
import { sqlExecute, sqlFirst } from './sql'

const sql = Prisma.sql

export async function findPortalSetting(key: string): Promise<unknown> {
  const row = await sqlFirst<{ value: unknown }>(sql`SELECT "value" FROM "PortalSetting" WHERE "key" = ${key}`)
  return row?.value
}

export function savePortalSetting(key: string, value: unknown, updatedBy: string) {
  return sqlExecute(sql`
    INSERT INTO "PortalSetting" ("key", "value", "updatedAt", "updatedBy") VALUES (${key}, ${JSON.stringify(value)}::jsonb, ${new Date()}, ${updatedBy})
    ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = EXCLUDED."updatedAt", "updatedBy" = EXCLUDED."updatedBy"`)
}
