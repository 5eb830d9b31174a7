import 'server-only'
import { randomUUID } from 'node:crypto'
import { Prisma } from './generated/client'
import type { AttributeType } from './generated/enums'
import { sqlExecute, sqlFirst, sqlRows } from './sql'

/**
 * Custom attributes an IdP may send under its extension URN. On the SQL runner, so that a change commits with
 * its audit event (`withTransaction`).
 */

export type CustomAttributeRow = {
  id: string
  providerId: string
  name: string
  nameLower: string
  type: AttributeType
  description: string
  createdAt: Date
  updatedAt: Date
}

const attributeColumns = Prisma.sql`"id", "providerId", "name", "nameLower", "type", "description", "createdAt", "updatedAt"`

export function listCustomAttributes(providerId: string): Promise<CustomAttributeRow[]> {
  return sqlRows<CustomAttributeRow>(Prisma.sql`
    SELECT ${attributeColumns} FROM "CustomAttribute" WHERE "providerId" = ${providerId}::uuid ORDER BY "nameLower" ASC`)
}

/** Throws UniqueViolationError when the IdP has an attribute of that name (compared case-insensitively). */
export async function insertCustomAttribute(data: {
  providerId: string
  name: string
  type: AttributeType
  description: string
}): Promise<CustomAttributeRow> {
  const now = new Date()
  const row = await sqlFirst<CustomAttributeRow>(Prisma.sql`
    INSERT INTO "CustomAttribute" ("id", "providerId", "name", "nameLower", "type", "description", "createdAt", "updatedAt")
    VALUES (${randomUUID()}::uuid, ${data.providerId}::uuid, ${data.name}, ${data.name.toLowerCase()},
      ${data.type}::"AttributeType", ${data.description}, ${now}, ${now})
    RETURNING ${attributeColumns}`)
  return row!
}

/** The changed attribute, or undefined when the IdP has none of that name. */
export function updateCustomAttribute(
  providerId: string,
  name: string,
  data: { type?: AttributeType; description?: string },
): Promise<CustomAttributeRow | undefined> {
  const assignments = [Prisma.sql`"updatedAt" = ${new Date()}`]
  if (data.type !== undefined) assignments.push(Prisma.sql`"type" = ${data.type}::"AttributeType"`)
  if (data.description !== undefined) assignments.push(Prisma.sql`"description" = ${data.description}`)
  return sqlFirst<CustomAttributeRow>(Prisma.sql`
    UPDATE "CustomAttribute" SET ${Prisma.join(assignments, ', ')}
    WHERE "providerId" = ${providerId}::uuid AND "nameLower" = ${name.toLowerCase()}
    RETURNING ${attributeColumns}`)
}

/** How many attributes were removed (0 or 1). */
export function deleteCustomAttribute(providerId: string, name: string): Promise<number> {
  return sqlExecute(Prisma.sql`
    DELETE FROM "CustomAttribute" WHERE "providerId" = ${providerId}::uuid AND "nameLower" = ${name.toLowerCase()}`)
}
