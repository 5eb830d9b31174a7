import { z } from 'zod'
import { deleteCustomAttribute, insertCustomAttribute, listCustomAttributes, updateCustomAttribute } from '../db/custom-attributes'
import { Prisma } from '../db/generated/client'
import { customExtensionUrn } from '../scim/schema/user'
import { invalidateScimAccessCache } from './scim-access'
import { recordAudit, type Actor } from './audit'
import { getIdentityProvider } from './identity-providers'
import { ConflictError, NotFoundError } from './errors'

export const attributeTypes = ['string', 'integer', 'decimal', 'boolean', 'dateTime'] as const

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

export async function addCustomAttribute(actor: Actor, input: CustomAttributeInput) {
  const data = customAttributeSchema.parse(input)
  await getIdentityProvider(data.providerId)
  try {
    const attribute = await insertCustomAttribute(data)
    invalidateScimAccessCache()
    await recordAudit(actor, 'attribute.add', { type: 'customAttribute', id: attribute.id, providerId: data.providerId }, {
      name: data.name,
      type: data.type,
    })
    return attribute
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
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
  const attributes = await listCustomAttributes(providerId)
  if (!attributes.some((attribute) => attribute.nameLower === name.toLowerCase())) {
    throw new NotFoundError(`No custom attribute '${name}'.`)
  }
  const attribute = await updateCustomAttribute(providerId, name, changes)
  invalidateScimAccessCache()
  await recordAudit(actor, 'attribute.edit', { type: 'customAttribute', id: attribute.id, providerId }, { name, ...changes })
  return attribute
}

export async function removeCustomAttribute(actor: Actor, providerId: string, name: string) {
  await getIdentityProvider(providerId)
  const { count } = await deleteCustomAttribute(providerId, name)
  invalidateScimAccessCache()
  if (count === 0) throw new NotFoundError(`No custom attribute '${name}'.`)
  await recordAudit(actor, 'attribute.remove', { type: 'customAttribute', providerId }, { name })
}

/** The attributes with the exact names an IdP may send for each: plain and URN-qualified. */
export async function listProviderCustomAttributes(providerId: string) {
  const provider = await getIdentityProvider(providerId)
  const urn = customExtensionUrn(provider.extensionName)
  const attributes = await listCustomAttributes(providerId)
  return attributes.map((attribute) => ({ ...attribute, acceptedNames: [attribute.name, `${urn}:${attribute.name}`] }))
}
