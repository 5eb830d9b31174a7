import 'server-only'
import { z } from 'zod'
import { withTransaction } from '../db/client'
import {
  deleteCustomAttribute,
  insertCustomAttribute,
  listCustomAttributes,
  updateCustomAttribute,
} from '../db/custom-attributes'
import { attributeTypes } from '../db/enums'
import { UniqueViolationError } from '../db/sql'
import { customExtensionUrn } from '../scim/schema/user'
import { invalidateScimAccessCache } from './scim-access'
import { recordAudit, type Actor } from './audit'
import { getIdentityProvider } from './identity-providers'
import { ConflictError, NotFoundError } from './errors'

export { attributeTypes }

const RESERVED = new Set(['__proto__', 'constructor', 'prototype'])

export const customAttributeSchema = z.object({
  providerId: z.uuid('Unknown identity provider.'),
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Name starts with a letter and has up to 64 letters, digits, _ or -.')
    .refine((name) => !RESERVED.has(name.toLowerCase()), 'That name is reserved.'),
  type: z.enum(attributeTypes, { error: 'Type must be string, integer, decimal, boolean or dateTime.' }).default('string'),
  description: z.string().trim().max(500, 'Description is at most 500 characters.').default(''),
})
export type CustomAttributeInput = z.input<typeof customAttributeSchema>

// Each change commits with its audit event, or neither does; SCIM requests see it after the commit.

export async function addCustomAttribute(actor: Actor, input: CustomAttributeInput) {
  const data = customAttributeSchema.parse(input)
  await getIdentityProvider(data.providerId)
  try {
    const attribute = await withTransaction(async () => {
      const inserted = await insertCustomAttribute(data)
      await recordAudit(
        actor,
        'attribute.add',
        { type: 'customAttribute', id: inserted.id, providerId: data.providerId },
        {
          name: data.name,
          type: data.type,
        },
      )
      return inserted
    })
    invalidateScimAccessCache()
    return attribute
  } catch (error) {
    if (error instanceof UniqueViolationError) {
      throw new ConflictError(`A custom attribute named '${data.name}' already exists (names are compared case-insensitively).`)
    }
    throw error
  }
}

export async function editCustomAttribute(
  actor: Actor,
  providerId: string,
  name: string,
  changes: { type?: (typeof attributeTypes)[number]; description?: string },
) {
  const attribute = await withTransaction(async () => {
    const updated = z.uuid().safeParse(providerId).success ? await updateCustomAttribute(providerId, name, changes) : undefined
    if (!updated) throw new NotFoundError(`No custom attribute '${name}'.`)
    await recordAudit(actor, 'attribute.edit', { type: 'customAttribute', id: updated.id, providerId }, { name, ...changes })
    return updated
  })
  invalidateScimAccessCache()
  return attribute
}

export async function removeCustomAttribute(actor: Actor, providerId: string, name: string) {
  await getIdentityProvider(providerId)
  await withTransaction(async () => {
    const count = await deleteCustomAttribute(providerId, name)
    if (count === 0) throw new NotFoundError(`No custom attribute '${name}'.`)
    await recordAudit(actor, 'attribute.remove', { type: 'customAttribute', providerId }, { name })
  })
  invalidateScimAccessCache()
}

/** The attributes with the exact names an IdP may send for each: plain and URN-qualified. */
export async function listProviderCustomAttributes(providerId: string) {
  const provider = await getIdentityProvider(providerId)
  const urn = customExtensionUrn(provider.extensionName)
  const attributes = await listCustomAttributes(providerId)
  return attributes.map((attribute) => ({ ...attribute, acceptedNames: [attribute.name, `${urn}:${attribute.name}`] }))
}
